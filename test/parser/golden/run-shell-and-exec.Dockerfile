FROM a
RUN echo "hello world" && ls
RUN ["sh", "-c", "echo $HOME"]
RUN []
