FROM a
RUN echo bom
