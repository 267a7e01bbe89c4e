FROM a
RUN --network=none true
RUN --network=host --security=insecure true
RUN --network=bridge true
