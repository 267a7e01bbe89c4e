FROM a
RUN --mount=type=bind,source=/src,target=/dst,from=build,rw true
RUN --mount=type=cache,id=go,target=/root/.cache,sharing=locked,from=base,source=/c,mode=0755,uid=1000,gid=1000 true
RUN --mount=type=tmpfs,target=/tmp,size=64m true
RUN --mount=type=secret,id=token,target=/run/t,env=TOKEN,required=true,mode=0400 true
RUN --mount=type=ssh,id=default,required true
RUN --mount=target=/x,ro --mount=type=cache,dst=/y true
