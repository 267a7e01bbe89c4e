FROM a
ADD --chown=app:app --chmod=0644 --link a /b/
ADD --chmod=u+rwx,go+rx --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x.tgz /x/
ADD --keep-git-dir=true --unpack=false --exclude=*.md --exclude=docs/ https://github.com/a/b.git /src
