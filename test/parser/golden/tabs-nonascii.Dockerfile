FROM	alpine
RUN	echo	"안녕하세요"
LABEL description="café ☕" 설명=값
ENV GREETING=héllo
