FROM a
RUN -- --not-a-flag
CMD --help
