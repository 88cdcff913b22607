"""`airflow dags test planwatch_templates`: the month's templates to the outbox, and by email to every
department with an address, through a real SMTP server (aiosmtpd) configured as an Airflow Connection."""

from __future__ import annotations

import email
import json
import socket
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from planwatch.forms.template import template_filename
from planwatch.registry.load import load_registry

from .airflow_support import PROJECT_ROOT, airflow, airflow_environment, initialise, task_states

PERIOD = "2024-06"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _attachment_names(message: email.message.Message) -> list[str]:
    return [str(make_header(decode_header(part.get_filename()))) for part in message.walk() if part.get_filename()]


@pytest.mark.slow
def test_templates_go_to_the_outbox_and_by_email_to_each_department_with_an_address(
    tmp_path: Path, airflow_metadata: Path
) -> None:
    registry = load_registry(PROJECT_ROOT / "plans")
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        home = tmp_path / "airflow"
        initialise(home, airflow_metadata)
        addresses = {
            department_id: f"{index}@departments.example"
            for index, department_id in enumerate(sorted(registry.reference.departments))
        }
        environment = airflow_environment(home, outbox_dir=str(tmp_path / "outbox"), output_dir=str(tmp_path / "o"))
        environment["AIRFLOW_CONN_PLANWATCH_SMTP"] = json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": controller.port,
                "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "planwatch@example.org"},
            }
        )
        environment["AIRFLOW_VAR_PLANWATCH_DEPARTMENT_EMAILS"] = json.dumps(addresses)
        completed = airflow(
            environment, "dags", "test", "planwatch_templates", "--conf", json.dumps({"period": PERIOD}), check=False
        )
        states = {task: state for task, _, state in task_states(home, "planwatch_templates")}
        assert states == {"write_templates": "success", "email_templates": "success"}, completed.stdout[-3000:]
    finally:
        controller.stop()

    written = sorted((tmp_path / "outbox" / PERIOD).glob("*.xlsx"))
    assert written, "no templates in the outbox"
    names = {
        department.department_id: template_filename(department.name, PERIOD)
        for department in registry.reference.departments.values()
    }
    expected = {
        addresses[department_id]: name
        for department_id, name in names.items()
        if name in {path.name for path in written}
    }
    received = {message["To"]: _attachment_names(message) for message in inbox.messages}
    assert received == {address: [name] for address, name in expected.items()}
    subject = str(make_header(decode_header(inbox.messages[0]["Subject"])))
    assert PERIOD in subject and "填报模板" in subject
