FROM a
COPY --from=build --parents --link=false --exclude=*.tmp --exclude=.git ./a/ ./b/ /dst/
COPY --from=0 /out /usr/local/bin/
