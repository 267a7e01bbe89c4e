FROM a
ENV A=1 B="two words" C=three\ words D=
ENV LEGACY value  with   spaces
ENV PATH=/opt/bin:$PATH
