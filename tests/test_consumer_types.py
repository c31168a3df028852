"""What an application developer writes type-checks and runs: enums take their plain string values,
uuid ids round-trip from a model into a path, method names are the resource's CRUD verbs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTIFY = ROOT / "generated" / "notify"

CONSUMER = '''
from notify_client import CountryCode, Customer, Error, NotFoundError, NotifyClient


def onboard(client: NotifyClient) -> Customer | None:
    customer = client.customers.create(customer_code="10001", name="Creditpartners B.V.", country="NL")
    assert customer.id is not None  # response fields are optional where the document does not require them
    client.customers.update(customer.id, country=CountryCode("BE"), language="dutch")
    for invoice in client.invoices.list():
        print(invoice.id)
    try:
        return client.customers.retrieve(customer.id)
    except NotFoundError as exc:
        error = exc.body_as(Error)
        detail: str | None = error.detail if error is not None else None
        print(detail)
        return None
'''


def test_consumer_script_passes_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER, encoding="utf-8")
    bad = tmp_path / "bad.py"  # the check can fail: a value outside the enum is refused
    bad.write_text(CONSUMER.replace('country="NL"', 'country="XX"'), encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(NOTIFY)}
    run = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache")]
    good = subprocess.run([*run, str(script)], capture_output=True, text=True, env=env, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = subprocess.run([*run, str(bad)], capture_output=True, text=True, env=env, check=False)
    assert wrong.returncode == 1 and "bad.py:6: error" in wrong.stdout, wrong.stdout


def test_plain_enum_strings_and_uuid_ids_are_accepted_at_run_time() -> None:
    code = textwrap.dedent('''
        import json, uuid, httpx
        from notify_client import Error, NotFoundError, NotifyClient
        sent = []
        customer = {"resource": "customer", "id": "a0f0660d-6c8d-422b-8114-e363b260521e", "customerCode": "1",
                    "name": "n", "address": {"address": "", "postalcode": "", "city": "", "country": "NL"},
                    "contact": "", "phone": "", "mobile": "", "email": "a@b.nl", "invoiceEmail": "",
                    "registrationNumber": "", "language": "dutch"}
        def handler(request):
            sent.append(request)
            if len(sent) == 4:
                return httpx.Response(404, json={"status": 404, "title": "Not Found", "detail": "gone"})
            return httpx.Response(200, json=customer)
        client = NotifyClient(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
        made = client.customers.create(customer_code="1", name="n", country="NL", language="dutch")
        client.customers.retrieve(made.id)
        client.customers.retrieve(str(made.id))
        try:
            client.customers.retrieve(made.id)
        except NotFoundError as exc:
            detail = exc.body_as(Error).detail
        print(json.dumps([json.loads(sent[0].content), sent[1].url.path, sent[2].url.path, detail]))
    ''')
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(NOTIFY)})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    body, path_uuid, path_str, detail = json.loads(proc.stdout)
    assert detail == "gone"  # exc.body_as(Error): the documented error model, typed
    assert body["country"] == "NL" and body["language"] == "dutch"
    assert path_uuid == path_str and path_uuid.endswith("/customers/a0f0660d-6c8d-422b-8114-e363b260521e")

