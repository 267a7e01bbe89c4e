FROM a
COPY ["file with space.txt", "/dest dir/"]
COPY ["a", "b", "/c/"]
