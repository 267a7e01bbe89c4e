FROM a
RUN ["echo", 1, "x"]
