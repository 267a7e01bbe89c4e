FROM a
RUN ["cat", "<<EOF"]
COPY ["<<EOF", "/x"]
