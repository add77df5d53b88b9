import json

import pytest
from django.core.management import call_command

from frenchbot.retrieval.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(tmp_path):
    data = {
        "data": [
            {
                "title": "Mistral AI",
                "paragraphs": [
                    {
                        "context": "Mistral AI est une entreprise française fondée en 2023 à Paris.",
                        "qas": [
                            {
                                "id": "1",
                                "question": "En quelle année Mistral AI a-t-elle été fondée ?",
                                "answers": [{"text": "2023", "answer_start": 0}],
                            }
                        ],
                    }
                ],
            },
            {
                "title": "La CNIL",
                "paragraphs": [
                    {
                        "context": "La CNIL veille à la protection des données personnelles en France.",
                        "qas": [
                            {
                                "id": "2",
                                "question": "Qui protège les données personnelles ?",
                                "answers": [{"text": "La CNIL", "answer_start": 0}],
                            }
                        ],
                    }
                ],
            },
        ]
    }
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_eval_reports_json_and_leaves_no_trace(dataset, capsys):
    call_command("eval_retrieval", dataset=str(dataset), json=True)
    report = json.loads(capsys.readouterr().out)
    assert report["recall_at_1"] == 1.0
    assert report["recall_at_5"] == 1.0
    assert report["mrr_at_10"] == 1.0
    assert set(report) >= {"recall_at_1", "recall_at_5", "mrr_at_10", "answer_hit", "p50_ms", "p95_ms"}
    assert not Document.objects.exists()


def test_eval_says_when_the_file_is_missing(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="introuvable"):
        call_command("eval_retrieval", dataset=str(tmp_path / "absent.json"))
