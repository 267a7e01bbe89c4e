FROM a
VOLUME /data /logs
VOLUME ["/var/lib/db", "/backup"]
VOLUME [""]
