"""The two ways of running the registry: production settings (as docker-compose.yml runs them)
and the demo of `make run` (SQLite, tasks in process)."""

import ast
import os
import re
import secrets
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings as django_settings

BASE_DIR = Path(django_settings.BASE_DIR)
PRODUCTION_HOST = "registry.example.org"


def settings_env_names() -> set[str]:
    """Every environment variable coalition/settings.py reads, found in its source."""
    tree = ast.parse((BASE_DIR / "coalition" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        first = node.args[0]
        if (
            called in ("env_str", "env_bool", "env_int", "env_list", "get")
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9_]*", first.value)
        ):
            names.add(first.value)
    return names


def clean_env(**values: str) -> dict[str, str]:
    """`values` and the few variables any process needs: nothing inherited from the tests (their
    settings, DJANGO_ALLOW_ASYNC_UNSAFE of conftest.py) leaks into the process under test."""
    env = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ
    }
    return env | values


def production_env() -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!#%&()*+,-./:;<=>?@[]^_{|}~"
    return clean_env(
        DEBUG="false",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS=PRODUCTION_HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{PRODUCTION_HOST}",
        SITE_URL=f"https://{PRODUCTION_HOST}",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        # The file mailer is for development: check --deploy rightly refuses it.
        EMAIL_URL="smtp://registry:secret@smtp.example.org:587?tls=true",
    )


def test_check_deploy_finds_no_issue_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


class ResourceCollector(HTMLParser):
    """Collects the URLs a page makes the browser load (not the links it merely shows)."""

    LOADING = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "audio": "src",
        "video": "src",
        "embed": "src",
        "object": "data",
        "link": "href",
    }

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attribute = self.LOADING.get(tag)
        value = dict(attrs).get(attribute) if attribute else None
        if value:
            self.urls.append(value)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *sources = part.split()
            directives[name] = sources
    return directives


@pytest.fixture
def production_settings(settings):
    """The values of the test environment that differ from production, put back."""
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.mark.django_db
@pytest.mark.usefixtures("production_settings")
@pytest.mark.parametrize("path", ["/healthz", "/"])
def test_responses_carry_the_security_headers(client, path):
    response = client.get(path, secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    directives = csp_directives(policy)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for name, sources in directives.items():
        for source in sources:
            # Nothing from another host: no host, scheme-wide or wildcard source.
            assert source in ("'self'", "'none'", "data:") or source.startswith("'nonce-"), (
                f"{name} allows {source}"
            )


@pytest.mark.django_db
@pytest.mark.usefixtures("production_settings")
def test_the_home_page_loads_nothing_from_another_host(client):
    response = client.get("/", secure=True)

    collector = ResourceCollector()
    collector.feed(response.content.decode())
    assert collector.urls, "the page should at least load its stylesheet and script"
    for url in collector.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, production_settings):
    production_settings.ALLOWED_HOSTS = [PRODUCTION_HOST]

    response = client.get("/", headers={"host": PRODUCTION_HOST})

    assert response.status_code == 301
    assert response["Location"] == f"https://{PRODUCTION_HOST}/"


@pytest.mark.django_db
def test_the_container_healthcheck_request_passes_the_https_redirect(client, production_settings):
    # docker-compose.yml asks gunicorn directly over HTTP, as the proxy in front would forward it.
    production_settings.ALLOWED_HOSTS = [PRODUCTION_HOST]

    response = client.get(
        "/healthz", headers={"host": PRODUCTION_HOST, "x-forwarded-proto": "https"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def test_the_demo_of_make_run_migrates_and_serves(tmp_path):
    env = clean_env(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        EMAIL_URL=f"file:{tmp_path / 'mail'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--no-input"], ["seed_demo"]):
        result = subprocess.run(
            manage + command,
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "runserver.log", "w+", encoding="utf-8") as log:
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            status = None
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    status, body = get(f"{base_url}/healthz")
                    break
                except OSError:  # not listening yet
                    time.sleep(0.2)
            assert status == 200, f"/healthz answered {status}"
            assert '"status": "ok"' in body

            status, body = get(f"{base_url}/")
            assert status == 200
            assert "Coalition Registry" in body
            # Every public page of the demo answers on SQLite, with its demo data.
            for path, text in [
                ("/partners/", "Lumen Textiles Cooperative"),
                ("/commitments/", "commitment"),
                ("/forum/", "Forum"),
                ("/good-practices/", "ood practice"),
                ("/dashboard/", "<svg"),
                ("/fr/dashboard/", "<svg"),
                ("/api/v1/stats/", "commitments"),
                ("/api/v1/commitments/", "results"),
                ("/api/v1/docs/", "swagger"),
            ]:
                status, body = get(f"{base_url}{path}")
                assert status == 200, f"{path} answered {status}"
                assert text in body, f"{path} lacks {text!r}"
        except BaseException:
            log.seek(0)
            print(log.read())
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def test_env_example_documents_every_variable_the_settings_read():
    documented = set(
        re.findall(
            r"^#?\s*([A-Z][A-Z0-9_]*)=",
            (BASE_DIR / ".env.example").read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
    )

    assert settings_env_names() - documented == set()


def test_docker_compose_checks_the_health_of_every_service():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
        assert services[name]["env_file"], name
