FROM a
RUN <<-EOT sh
	if true; then
		echo tabbed
	fi
	EOT
