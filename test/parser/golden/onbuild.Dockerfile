FROM a
ONBUILD RUN make
ONBUILD COPY --from=x . /app
onbuild ADD ["a", "/b"]
