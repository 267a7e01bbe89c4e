FROM a
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["httpd", "-f", "-p", "8080"]
CMD echo $HOME
ENTRYPOINT
