ARG A B=2 C= D="x y" E='$literal'
FROM a
ARG A
