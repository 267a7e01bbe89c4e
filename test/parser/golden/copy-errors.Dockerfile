FROM a
COPY onlyone
COPY --form=build a b
COPY --chmod=999 a b
COPY --from=a --from=b x y
COPY --link=maybe a b
COPY --chown a b
