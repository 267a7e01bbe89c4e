FROM a
RUN echo one \
    two
COPY <<EOF /x
line
EOF
CMD ["x"]
