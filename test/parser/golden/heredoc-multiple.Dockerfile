FROM a
COPY <<A <<B /dest/
alpha
A
bravo
B
RUN <<X cat > /one && cat <<Y > /two
1
X
2
Y
