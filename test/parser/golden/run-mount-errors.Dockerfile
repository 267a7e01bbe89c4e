FROM a
RUN --mount=type=cahce,target=/x true
RUN --mount=size=1m,type=tmpfs,target=/t true
RUN --mount=type=cache,target=/x,mode=999 true
RUN --mount=type=bind,target=/x,sharing=shared true
RUN --mount=type=secret,id=a,source=b true
RUN --mount=target true
