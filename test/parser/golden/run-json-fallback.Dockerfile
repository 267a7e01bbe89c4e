FROM a
RUN ["echo" "missing comma"]
RUN ['single', 'quotes']
RUN ["ok"] trailing
