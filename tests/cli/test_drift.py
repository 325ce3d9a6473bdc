"""`warmstart drift`: drift only from a preview's change summary, never from its failure."""

import json

import pytest

from warmstart.__main__ import main
from warmstart.drift import REPORTED_RESOURCES, read_drift, report

URN = "urn:pulumi:prod::warmstart::aws:eks/nodeGroup:NodeGroup::cluster-spot"


def preview(summary, steps=()):
    return {"changeSummary": summary, "steps": list(steps)}


def test_only_operations_other_than_same_are_drift():
    assert not read_drift(preview({"same": 41})).drifted
    assert not read_drift(preview({"same": 41, "update": 0})).drifted
    drift = read_drift(
        preview(
            {"same": 40, "update": 1, "replace": 1},
            [
                {"op": "same", "urn": "x"},
                {"op": "update", "urn": URN},
                {"op": "replace", "urn": "y"},
            ],
        )
    )
    assert drift.drifted
    assert drift.summary() == "replace 1, update 1"
    assert drift.resources == [("update", URN), ("replace", "y")]


def test_a_document_without_a_change_summary_is_refused():
    with pytest.raises(ValueError, match="no changeSummary"):
        read_drift({"diagnostics": [{"message": "error: no credentials"}]})


def test_the_report_lists_resources_up_to_a_limit():
    steps = [{"op": "update", "urn": f"urn:{i}"} for i in range(REPORTED_RESOURCES + 3)]
    text = report("prod", read_drift(preview({"update": len(steps)}, steps)))
    assert text.startswith("`pulumi preview --refresh` of `prod` would change: update 53.\n")
    assert text.count("\n- update `urn:") == REPORTED_RESOURCES
    assert text.endswith("- ... and 3 more (see the run's log)\n")


def test_the_command_prints_github_outputs_and_writes_the_report(tmp_path, capsys):
    file = tmp_path / "preview.json"
    file.write_text(json.dumps(preview({"same": 3, "delete": 1}, [{"op": "delete", "urn": URN}])))
    assert main(["drift", str(file), "--stack", "prod", "--report", str(tmp_path / "d.md")]) == 0
    assert capsys.readouterr().out == "drifted=true\nsummary=delete 1\n"
    assert f"- delete `{URN}`" in (tmp_path / "d.md").read_text()


@pytest.mark.parametrize("content", ["", "not json", '{"config": {}}'])
def test_a_file_that_is_not_a_preview_is_one_line_and_exit_2(tmp_path, capsys, content):
    file = tmp_path / "preview.json"
    file.write_text(content)
    assert main(["drift", str(file), "--stack", "dev"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"error: {file}: ") and err.count("\n") == 1


def test_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["drift", str(tmp_path / "nowhere.json"), "--stack", "dev"]) == 2
    assert "Traceback" not in capsys.readouterr().err
