"""deploy/nginx/focushub.conf as shipped, with only its EDIT lines changed, run by
Debian's nginx from a folder without root: what tests/test_nginx.py tests and
bench/rest_layouts.py and bench/ws_fanout.py measure, written once so both run the same
file the same way."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "focushub.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# Around the site file, as Debian's nginx.conf is around /etc/nginx/sites-enabled, with
# every path in the folder.
MAIN = """daemon off;
{user}
worker_processes {workers};
worker_rlimit_nofile {files};
pid {folder}/nginx.pid;
error_log {error_log} warn;
events {{ worker_connections {connections}; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/focushub.conf;
}}
"""


def edited(text: str, line: str, replacement: str) -> str:
    """The site file with one of its EDIT lines replaced; the line must be there once."""
    assert text.count(line) == 1, f"{SITE} no longer has exactly one {line.strip()!r}"
    return text.replace(line, replacement)


def site(*, web_ports: list[int], http_ports: list[int], listen: str, static_root: str | None = None,
         access_log: str | None = None) -> str:
    """The site file in front of these servers: `/ws/` to their daphnes (web_ports, each
    serve.py's PORT), the rest to their HTTP workers (http_ports, HTTP_PORT) with the
    daphnes as backup, listening on `listen`; static files from static_root if given;
    its access log written to `access_log` if given, else off."""
    sockets, http = SITE.read_text().split("upstream focushub_http", 1)
    sockets = edited(sockets, "    server 127.0.0.1:8000 max_fails=1 fail_timeout=5s;\n",
                     "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in web_ports))
    http = edited(http, "    server 127.0.0.1:8001 max_fails=1 fail_timeout=5s;\n"
                        "    server 127.0.0.1:8000 backup;\n",
                  "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in http_ports)
                  + "".join(f"    server 127.0.0.1:{port} backup;\n" for port in web_ports))
    text = edited(sockets + "upstream focushub_http" + http, "    listen 80;", f"    listen {listen};")
    text = edited(text, "    access_log /var/log/nginx/access.log focushub_no_query;",
                  f"    access_log {access_log} focushub_no_query;" if access_log else "    access_log off;")
    if static_root is not None:
        text = edited(text, "alias /srv/focushub/var/static/;", f"alias {static_root}/;")
    return text


def write_config(folder: Path, site_text: str, *, user: str = "", workers: str = "1", connections: int = 512,
                 error_log: str = "stderr") -> list[str]:
    """Write nginx.conf and the site into `folder`; returns the command that runs them."""
    (folder / "focushub.conf").write_text(site_text)
    (folder / "nginx.conf").write_text(MAIN.format(folder=folder, user=user, workers=workers, connections=connections,
                                                   files=2 * connections + 100, error_log=error_log))
    return [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", error_log]
