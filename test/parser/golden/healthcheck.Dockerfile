FROM a
HEALTHCHECK NONE
HEALTHCHECK --interval=30s --timeout=5s --start-period=1m --start-interval=2s --retries=3 CMD curl -f http://localhost/ || exit 1
HEALTHCHECK cmd ["pg_isready"]
