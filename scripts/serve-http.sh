#!/bin/sh
# scripts/serve-http.sh DIR STATE: Debian's nginx serving DIR on 127.0.0.1,
# on a free port, which it prints; its configuration, pid file and logs
# (access.log) in the directory STATE.  Stop it: kill "$(cat STATE/nginx.pid)".
# For the netboot tests and benchmark: nothing of the host's nginx is used.
set -eu
dir=$1 state=$2
mkdir -p "$state"
: >"$state/access.log"
user=
[ "$(id -u)" -ne 0 ] || user="user root;"	# else the workers are nobody
for try in 1 2 3 4 5 6 7 8; do
	port=$((20000 + ($$ * 7 + try * 131) % 20000))
	cat >"$state/nginx.conf" <<EOT
$user
pid $state/nginx.pid;
error_log $state/error.log;
events { worker_connections 256; }
http {
	access_log $state/access.log;
	client_body_temp_path $state/body;
	proxy_temp_path $state/proxy;
	sendfile on;
	server { listen 127.0.0.1:$port; root $dir; }
}
EOT
	if nginx -e "$state/error.log" -p "$state" -c "$state/nginx.conf" 2>>"$state/start.log"; then
		echo "$port"
		exit 0
	fi
done
echo "serve-http.sh: nginx would not start:" >&2
tail -5 "$state/start.log" >&2
exit 1
