FROM a
LABEL a=b "c d"="e f" g='h'
LABEL multi=one \
      other=two
LABEL legacy value with spaces
