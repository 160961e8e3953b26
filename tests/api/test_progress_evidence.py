"""Evidence files through the API: a member attaches them to the progress update it posts, as
multipart/form-data (what the website's form sends), under the page's rules (type read from the
content, 10 MB, 5 files; the evidence level becomes `evidence_attached`), with a stable error code
for each refusal; the files of hidden updates and of commitments others may not read stay out
of their reach."""

import io
import zipfile

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commitments import services
from commitments.models import EvidenceFile, ProgressUpdate
from tests.api.conftest import API, body
from tests.factories import EvidenceFileFactory, ProgressUpdateFactory

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_form(api, path: str, data: dict, token=None):
    """A multipart/form-data POST (Django's test client encodes a dict so), checked against the
    schema as every request of these tests."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    response = api.client.post(API + path, data, headers=headers)
    api.checker.check("post", API + path, response)
    return response


def report(**extra) -> dict:
    return {"date": timezone.localdate().isoformat(), "narrative": "Half way there.", **extra}


def file_errors(response) -> list[str]:
    assert response.status_code == 400, response.content
    return [error["code"] for error in body(response)["fields"]["files"]]


def test_a_member_attaches_evidence_files_to_the_update_it_posts(api, published, alice_token):
    deliverable = published.deliverables.get()
    response = post_form(
        api,
        f"commitments/{published.pk}/progress/",
        report(
            links=["https://example.org/a", "https://example.org/b"],
            status_changes=orjson.dumps(
                [{"deliverable": deliverable.pk, "status": "on_track"}]
            ).decode(),
            resources_mobilised="1200.50",
            files=[
                upload("mid-term report.pdf", PDF, "text/plain"),
                upload("photo.png", PNG),
                upload("plan.docx", docx()),
            ],
        ),
        token=alice_token,
    )

    assert response.status_code == 201, response.content
    created = body(response)
    assert created["evidence_level"] == "evidence_attached"
    assert created["links"] == ["https://example.org/a", "https://example.org/b"]
    assert created["resources_mobilised"] == "1200.50"
    assert created["status_changes"] == [
        {"deliverable": deliverable.pk, "old_status": "planned", "new_status": "on_track"}
    ]
    # The type is the one read from the content, never the one the client claimed.
    assert [(item["name"], item["content_type"], item["size"]) for item in created["files"]] == [
        ("mid-term report.pdf", "application/pdf", len(PDF)),
        ("photo.png", "image/png", len(PNG)),
        (
            "plan.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            len(docx()),
        ),
    ]
    # Listed with the update, for anyone, and each file downloads from its address.
    listed = body(api.get(f"commitments/{published.pk}/progress/"))["results"]
    assert listed == [created]
    download = Client().get(created["files"][0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    download.close()


def test_files_alone_are_enough_evidence(api, published, alice_token):
    response = post_form(
        api,
        f"commitments/{published.pk}/progress/",
        {"date": timezone.localdate().isoformat(), "files": [upload("report.pdf", PDF)]},
        token=alice_token,
    )
    assert response.status_code == 201, response.content
    assert body(response)["evidence_level"] == "evidence_attached"


def test_a_form_without_files_reports_as_the_json_body_does(api, published, alice_token):
    deliverable = published.deliverables.get()
    changes = [{"deliverable": deliverable.pk, "status": "achieved"}]
    response = post_form(
        api,
        f"commitments/{published.pk}/progress/",
        # One part per change is the OpenAPI default for an array of objects.
        report(status_changes=[orjson.dumps(change) for change in changes], links=[]),
        token=alice_token,
    )
    assert response.status_code == 201, response.content
    created = body(response)
    assert (created["evidence_level"], created["files"]) == ("self_reported", [])
    assert created["status_changes"][0]["new_status"] == "achieved"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", b"just text, not a PDF", "file_type"),
        ("photo.png", PDF, "file_type"),  # content and extension disagree
        ("script.exe", b"MZ\x90\x00", "file_type"),
        ("no-extension", PDF, "file_type"),
        ("large.pdf", PDF + b"x" * 64, "file_too_large"),
    ],
)
def test_a_refused_file_has_a_stable_code_and_nothing_is_kept(
    api, published, alice_token, settings, name, content, code
):
    settings.EVIDENCE_MAX_BYTES = 64
    response = post_form(
        api,
        f"commitments/{published.pk}/progress/",
        report(files=[upload("fine.pdf", PDF), upload(name, content)]),
        token=alice_token,
    )
    assert file_errors(response) == [code]
    assert name[:20] in body(response)["fields"]["files"][0]["message"]
    assert not ProgressUpdate.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_six_files_are_too_many(api, published, alice_token):
    files = [upload(f"report-{n}.pdf", PDF) for n in range(6)]
    response = post_form(
        api, f"commitments/{published.pk}/progress/", report(files=files), token=alice_token
    )
    assert file_errors(response) == ["too_many_files"]
    assert not ProgressUpdate.objects.exists()


def test_a_body_larger_than_five_files_is_refused_unread(api, published, alice_token, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_form(
        api,
        f"commitments/{published.pk}/progress/",
        report(files=[upload("huge.pdf", PDF + b"x" * 5000)]),
        token=alice_token,
    )
    assert file_errors(response) == ["file_too_large"]


def test_files_in_a_json_body_are_refused(api, published, alice_token):
    response = api.post(
        f"commitments/{published.pk}/progress/",
        report(files=["JVBERi0xLjQ="]),
        token=alice_token,
    )
    assert file_errors(response) == ["multipart_required"]


def test_a_body_neither_json_nor_multipart_is_415(api, published, alice_token):
    response = api.post(
        f"commitments/{published.pk}/progress/",
        PDF,
        token=alice_token,
        content_type="application/pdf",
    )
    assert response.status_code == 415, response.content
    assert body(response)["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"files": "report.pdf"}, "files", "not_a_file"),
        ({"file": upload("report.pdf", PDF)}, "file", "unexpected_file"),
        ({"status_changes": "[{"}, "status_changes", "parse_error"),
        (
            {"status_changes": '[{"deliverable": 1, "status": "lost"}]'},
            "status_changes.0.status",
            "invalid_choice",
        ),
        ({"narrative": "nul \x00 here"}, "narrative", "null_characters_not_allowed"),
        ({"date": ""}, "date", "required"),
        ({"links": "not a link"}, "links.0", "invalid"),
    ],
)
def test_bad_form_fields_are_400_with_their_code(api, published, alice_token, data, field, code):
    response = post_form(
        api, f"commitments/{published.pk}/progress/", report(**data), token=alice_token
    )
    assert response.status_code == 400, response.content
    assert [error["code"] for error in body(response)["fields"][field]] == [code]
    assert not ProgressUpdate.objects.exists()


def test_a_broken_multipart_body_is_400(api, published, alice_token):
    response = api.post(
        f"commitments/{published.pk}/progress/",
        b"--x\r\nContent-Disposition: form-data\r\n\r\n",
        token=alice_token,
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    ("token_of", "status"), [(None, 401), ("charlie_token", 403), ("sam_token", 403)]
)
def test_only_members_attach_files(api, published, request, token_of, status):
    token = request.getfixturevalue(token_of) if token_of else None
    response = post_form(
        api,
        f"commitments/{published.pk}/progress/",
        report(files=[upload("report.pdf", PDF)]),
        token=token,
    )
    assert response.status_code == status, response.content
    assert not EvidenceFile.objects.exists()


def test_the_files_of_a_hidden_update_are_out_of_others_reach(
    api, published, alice, alice_token, charlie_token, sam, client
):
    update = services.progress_update_create(
        commitment=published,
        actor=alice,
        date=timezone.localdate(),
        files=[upload("private.pdf", PDF)],
    )
    services.progress_update_hide(update=update, actor=sam, reason="Personal data.")
    own = body(api.get(f"commitments/{published.pk}/progress/", token=alice_token))["results"]
    assert own[0]["files"][0]["name"] == "private.pdf"
    url = own[0]["files"][0]["url"]

    for token in (None, charlie_token):
        response = api.get(f"commitments/{published.pk}/progress/", token=token)
        assert b"private.pdf" not in response.content
        sync = api.get(
            f"commitments/{published.pk}/progress/?updated_since=2000-01-01T00:00:00Z",
            token=token,
        )
        assert b"private.pdf" not in sync.content
    assert Client().get(url).status_code == 404
    client.force_login(alice)
    download = client.get(url)
    assert download.status_code == 200
    download.close()


def test_the_files_of_a_commitment_others_may_not_read_stay_hidden(
    api, draft, charlie_token, alice_token
):
    evidence = EvidenceFileFactory(update=ProgressUpdateFactory(commitment=draft))
    path = f"commitments/{draft.pk}/progress/"
    own = body(api.get(path, token=alice_token))["results"][0]["files"][0]
    assert own["id"] == evidence.pk
    for token in (None, charlie_token):
        assert api.get(path, token=token).status_code == 404
        assert api.get(f"{path}{evidence.update_id}/", token=token).status_code == 404
    assert Client().get(own["url"]).status_code == 404


def test_a_long_name_is_shortened_with_its_extension_kept(api, published, alice_token):
    name = "é" * 300 + ".pdf"
    response = post_form(
        api,
        f"commitments/{published.pk}/progress/",
        report(files=[upload(name, PDF), upload("a\x00b.pdf", PDF)]),
        token=alice_token,
    )
    assert response.status_code == 201, response.content
    shown = [item["name"] for item in body(response)["files"]]
    assert shown == ["é" * 196 + ".pdf", "ab.pdf"]
    stored = EvidenceFile.objects.order_by("pk").first().file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".pdf") and len(stored.encode()) <= 120
