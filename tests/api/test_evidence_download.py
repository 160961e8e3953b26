"""commitments/{id}/progress/{id}/files/{id}/: an evidence file's bytes for a token, under the
website download's rule (commitments.selectors): anyone for a visible update of a public
commitment, the lead organization's members and the Secretariat for the rest, 404 for anyone
else and for an address whose parts do not belong together (never telling that a file exists).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commitments import services
from tests.api.conftest import body, make_draft, make_published
from tests.factories import CoPartnershipFactory, EvidenceFileFactory, ProgressUpdateFactory

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def report(commitment, actor, *files):
    return services.progress_update_create(
        commitment=commitment,
        actor=actor,
        date=timezone.localdate(),
        narrative="Half way there.",
        files=[SimpleUploadedFile(name, content) for name, content in files],
    )


def address(evidence) -> str:
    update = evidence.update
    return f"commitments/{update.commitment_id}/progress/{update.pk}/files/{evidence.pk}/"


def download(api, path: str, **kwargs):
    """The response and its bytes. Reading a file to its end closes it (the test client's
    wrapper); closing the response again would close the test's database connection too."""
    response = api.get(path, **kwargs)
    content = b"".join(response.streaming_content) if response.streaming else None
    return response, content


@pytest.fixture
def tokens(alice_token, bob_token, charlie_token, sam_token):
    """Anonymous, the lead organization's admin and contributor, another organization's admin,
    the Secretariat."""
    return {
        "anonymous": None,
        "admin": alice_token,
        "contributor": bob_token,
        "other": charlie_token,
        "secretariat": sam_token,
    }


@pytest.fixture
def public_file(published, alice):
    return report(published, alice, ("report.pdf", PDF)).files.get()


@pytest.fixture
def hidden_file(published, alice, sam):
    update = report(published, alice, ("private.pdf", PDF))
    services.progress_update_hide(update=update, actor=sam, reason="Personal data.")
    return update.files.get()


@pytest.fixture
def withdrawn(acme, alice, sam):
    commitment = make_published(acme, alice, sam, title="Withdrawn apprenticeships")
    files = {
        "visible": report(commitment, alice, ("visible.pdf", PDF)).files.get(),
        "hidden": report(commitment, alice, ("hidden.pdf", PDF)).files.get(),
    }
    services.progress_update_hide(update=files["hidden"].update, actor=sam, reason="Private.")
    services.commitment_withdraw(commitment=commitment, actor=alice, reason="Funding ended.")
    return files


@pytest.fixture
def draft_file(acme, bob):
    """A file of a commitment that is not public (as tests/api/test_progress_evidence.py)."""
    draft = make_draft(acme, bob, title="Draft apprenticeships")
    return EvidenceFileFactory(update=ProgressUpdateFactory(commitment=draft))


ALL = {"anonymous", "admin", "contributor", "other", "secretariat"}
LEAD_AND_SECRETARIAT = {"admin", "contributor", "secretariat"}


@pytest.mark.parametrize(
    ("case", "allowed"),
    [
        ("public", ALL),
        ("hidden", LEAD_AND_SECRETARIAT),
        # A withdrawn commitment stays readable at its address (website and API alike): its
        # visible updates' files with it; its hidden ones stay with the lead and the Secretariat.
        ("withdrawn_visible", ALL),
        ("withdrawn_hidden", LEAD_AND_SECRETARIAT),
        ("draft", LEAD_AND_SECRETARIAT),
    ],
)
def test_who_may_download(api, tokens, request, case, allowed):
    evidence = {
        "public": lambda: request.getfixturevalue("public_file"),
        "hidden": lambda: request.getfixturevalue("hidden_file"),
        "withdrawn_visible": lambda: request.getfixturevalue("withdrawn")["visible"],
        "withdrawn_hidden": lambda: request.getfixturevalue("withdrawn")["hidden"],
        "draft": lambda: request.getfixturevalue("draft_file"),
    }[case]()
    expected = evidence.file.open("rb").read()
    evidence.file.close()
    for who, token in tokens.items():
        response, content = download(api, address(evidence), token=token)
        if who in allowed:
            assert response.status_code == 200, who
            assert content == expected, who
        else:
            assert response.status_code == 404, who
            assert body(response)["code"] == "not_found"


def test_a_co_partner_does_not_get_the_files_of_a_hidden_update(
    api, published, hidden_file, globex, charlie_token
):
    CoPartnershipFactory(commitment=published, organization=globex, status="confirmed")
    response, _ = download(api, address(hidden_file), token=charlie_token)
    assert response.status_code == 404


def test_the_bytes_and_headers_are_the_uploaded_file(api, published, alice, alice_token):
    name = 'rapport "final" été.pdf'
    update = report(published, alice, (name, PDF), ("photo.png", PNG))
    pdf, png = update.files.order_by("pk")

    response, content = download(api, address(pdf))
    assert response.status_code == 200
    assert content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''rapport%20%22final%22%20%C3%A9t%C3%A9.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-cache"  # public: shared caches may keep it
    assert {"Accept", "Authorization"} <= {value.strip() for value in response["Vary"].split(",")}

    response, content = download(api, address(png), token=alice_token)
    assert content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert response["Cache-Control"] == "private, no-cache"


def test_a_file_only_some_may_see_is_private_to_caches(api, hidden_file, sam_token):
    response, _ = download(api, address(hidden_file), token=sam_token)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_an_unchanged_file_is_304(api, public_file):
    response, _ = download(api, address(public_file))
    etag, last_modified = response["ETag"], response["Last-Modified"]

    again, content = download(api, address(public_file), headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    assert again["ETag"] == etag
    since, _ = download(api, address(public_file), headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    other, content = download(api, address(public_file), headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and content == PDF


def test_a_hidden_file_is_404_even_to_a_client_holding_its_etag(api, hidden_file, sam_token):
    response, _ = download(api, address(hidden_file), token=sam_token)
    again, _ = download(api, address(hidden_file), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 404


def test_any_accept_header_gets_the_file(api, public_file):
    for accept in ("application/pdf", "application/octet-stream", "*/*", "application/json"):
        response, content = download(api, address(public_file), headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert content == PDF
    # An error is JSON whatever was asked.
    response, _ = download(
        api, address(public_file).replace("/files/", "/files/9"), headers={"Accept": "image/png"}
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_an_address_whose_parts_do_not_belong_together_is_404(
    api, published, public_file, alice, acme, sam, alice_token
):
    other_update = report(published, alice, ("other.pdf", PDF))
    other_commitment = make_published(acme, alice, sam, title="Another commitment")
    update = public_file.update
    for path in (
        f"commitments/{published.pk}/progress/{other_update.pk}/files/{public_file.pk}/",
        f"commitments/{other_commitment.pk}/progress/{update.pk}/files/{public_file.pk}/",
        f"commitments/{published.pk}/progress/{update.pk}/files/{public_file.pk + 1000}/",
        f"commitments/{published.pk}/progress/{update.pk}/files/{2**70}/",
        f"commitments/{2**70}/progress/{update.pk}/files/{public_file.pk}/",
    ):
        for token in (None, alice_token):
            response, _ = download(api, path, token=token)
            assert response.status_code == 404, path
            assert body(response)["code"] == "not_found"


def test_a_file_missing_from_storage_is_404(api, public_file):
    public_file.file.storage.delete(public_file.file.name)
    response, _ = download(api, address(public_file))
    assert response.status_code == 404


def test_other_methods_are_405(api, public_file, alice_token):
    response = api.post(address(public_file), {}, token=alice_token)
    assert response.status_code == 405


def test_each_listed_file_has_its_api_address(api, published, hidden_file, alice_token):
    listed = body(api.get(f"commitments/{published.pk}/progress/", token=alice_token))["results"]
    listed_file = listed[0]["files"][0]
    assert listed_file["api_url"] == f"http://testserver/api/v1/{address(hidden_file)}"
    # The website's address is still there, unchanged, for existing clients.
    assert listed_file["url"].endswith(f"/{published.pk}/evidence/{hidden_file.pk}/")
    _, content = download(api, listed_file["api_url"], token=alice_token)
    assert content == PDF


def test_the_schema_documents_a_binary_answer(openapi):
    path = "/api/v1/commitments/{commitment_pk}/progress/{id}/files/{file_pk}/"
    operation = openapi["paths"][path]["get"]
    content = operation["responses"]["200"]["content"]
    assert content["application/pdf"] == {"schema": {"type": "string", "format": "binary"}}
    assert {"image/png", "application/octet-stream"} <= set(content)
    assert "Content-Disposition" in operation["responses"]["200"]["headers"]
    assert "404" in operation["responses"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "commitment_pk",
        "id",
        "file_pk",
    }
    assert "api_url" in openapi["components"]["schemas"]["EvidenceFile"]["required"]


def test_the_json_representation_matches_what_the_download_gives(api, public_file):
    update = public_file.update
    record = body(api.get(f"commitments/{update.commitment_id}/progress/{update.pk}/"))
    listed_file = record["files"][0]
    response, content = download(api, listed_file["api_url"])
    assert len(content) == listed_file["size"]
    assert response["Content-Type"] == listed_file["content_type"]
    assert listed_file["name"] == "report.pdf"


def test_a_download_costs_the_access_rule_s_queries_only(
    api, hidden_file, alice_token, django_assert_num_queries
):
    # The commitment and the file (here refused); with a token, also the token (read, last use
    # stamped), the member's role and co-partnership. The bytes come from storage.
    with django_assert_num_queries(2):
        download(api, address(hidden_file))
    with django_assert_num_queries(6):
        download(api, address(hidden_file), token=alice_token)
