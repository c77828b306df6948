"""Prometheus scrape config, alert rules and the Grafana provisioning: they must parse, agree with each other
and only name metrics the services declare in their metrics.py modules."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Final

import pytest

from tests.unit.deploy.deploy_files import (
    DASHBOARDS,
    DEPLOY,
    REPO,
    Doc,
    compose,
    load_json,
    load_one,
    load_yaml,
)

PROMETHEUS: Final = DEPLOY / "prometheus"
GRAFANA: Final = DEPLOY / "grafana"
METRIC: Final = re.compile(r"\bnewswire_[a-z0-9_]+")
SAMPLE_SUFFIXES: Final = ("_bucket", "_count", "_sum", "_created")
# Grafana macros, replaced by a duration so promtool can parse the queries.
MACROS: Final = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}
SCRAPED: Final = {
    "newswire-ingest": ("ingest", 8080),
    "newswire-extract": ("extract", 6067),
    "newswire-store": ("store", 6068),
    "newswire-poll": ("poll", 6066),
}

# Families the dashboards may query besides newswire_*: the broker's (JMX agent), PostgreSQL's (exporter),
# and the process metrics every service exports.
OTHER_FAMILIES: Final = ("kafka_", "jvm_", "pg_", "process_")


def tool(name: str) -> str:
    """The path of a Prometheus tool. `make test` installs them (scripts/infra.sh): missing is a failure."""
    path = shutil.which(name)
    assert path, f"{name} is not installed: run the suite with `make test` (scripts/infra.sh installs it)"
    return path


def _datasource_type(path: Path) -> str:
    variables = {variable["name"]: variable for variable in load_json(path)["templating"]["list"]}
    return str(next(v["query"] for v in variables.values() if v["type"] == "datasource"))


def _dashboards() -> list[Path]:
    """The Prometheus dashboards (the ops team's)."""
    return [path for path in sorted(DASHBOARDS.glob("*.json")) if _datasource_type(path) == "prometheus"]


def _sql_dashboards() -> list[Path]:
    """The PostgreSQL dashboards (the analysts')."""
    return [
        path
        for path in sorted(DASHBOARDS.glob("*.json"))
        if _datasource_type(path) == "grafana-postgresql-datasource"
    ]


def _query_panels(dashboard: Doc) -> list[Doc]:
    panels: list[Doc] = []
    for panel in dashboard["panels"]:
        panels.extend(panel.get("panels", []))
        if panel["type"] != "row":
            panels.append(panel)
    return panels


def _exprs(dashboard: Doc) -> list[str]:
    return [target["expr"] for panel in _query_panels(dashboard) for target in panel["targets"]]


def _alert_rules() -> list[Doc]:
    return [
        rule
        for path in sorted((PROMETHEUS / "rules").glob("*.yml"))
        for group in load_one(path)["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def _rule_exprs() -> list[str]:
    return [
        rule["expr"]
        for path in sorted((PROMETHEUS / "rules").glob("*.yml"))
        for group in load_one(path)["groups"]
        for rule in group["rules"]
    ]


def _declared_metrics() -> set[str]:
    """Metric names declared as string literals in services/**/metrics.py and services/common/build.py (read
    as text: no imports)."""
    names: set[str] = set()
    for module in [*sorted((REPO / "services").rglob("metrics.py")), REPO / "services/common/build.py"]:
        names.update(re.findall(r"[\"'](newswire_[a-z0-9_]+)[\"']", module.read_text(encoding="utf-8")))
    return names


def _base_name(sample: str) -> str:
    for suffix in SAMPLE_SUFFIXES:
        if sample.endswith(suffix):
            return sample.removesuffix(suffix)
    return sample


def test_prometheus_scrapes_every_newswire_service_on_its_compose_port() -> None:
    jobs = {job["job_name"]: job for job in load_one(PROMETHEUS / "prometheus.yml")["scrape_configs"]}
    services = compose()["services"]
    for job_name, (service, port) in SCRAPED.items():
        (sd,) = jobs[job_name]["dns_sd_configs"]
        assert sd["names"] == [service]
        assert sd["port"] == port
        assert port in {
            int(value) for key, value in services[service]["environment"].items() if key.endswith("PORT")
        }


def test_prometheus_loads_the_rule_files_of_the_repository() -> None:
    (pattern,) = load_one(PROMETHEUS / "prometheus.yml")["rule_files"]
    mount = next(
        v for v in compose()["services"]["prometheus"]["volumes"] if v.startswith("./deploy/prometheus:")
    )
    container_dir = mount.split(":")[1]

    assert pattern.startswith(container_dir + "/")
    assert sorted(PROMETHEUS.glob(pattern.removeprefix(container_dir + "/")))


def test_grafana_provisioning_points_at_the_mounted_dashboards_and_the_prometheus_service() -> None:
    (provider,) = load_one(GRAFANA / "provisioning" / "dashboards" / "newswire.yml")["providers"]
    (datasource,) = load_one(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    mounts = dict(
        v.removesuffix(":ro").split(":", 1)
        for v in compose()["services"]["grafana"]["volumes"]
        if v.startswith("./")
    )

    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"


@pytest.mark.parametrize("path", _dashboards(), ids=lambda path: path.name)
def test_every_dashboard_panel_queries_newswire_metrics_through_the_datasource_variable(path: Path) -> None:
    dashboard = load_json(path)
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    panels = _query_panels(dashboard)

    assert dashboard["uid"]
    assert dashboard["title"]
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert panels
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    for panel in panels:
        assert panel["targets"], f"panel {panel['title']!r} has no query"
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        for target in panel["targets"]:
            assert any(family in target["expr"] for family in ("newswire_", *OTHER_FAMILIES)), (
                f"panel {panel['title']!r}: {target['expr']}"
            )
            assert target["datasource"]["uid"] == "${datasource}"
        assert len({target["refId"] for target in panel["targets"]}) == len(panel["targets"])


def test_the_overview_dashboard_covers_every_hop() -> None:
    exprs = " ".join(_exprs(load_json(DASHBOARDS / "newswire-overview.json")))

    for service in ("poll", "ingest", "extract", "store"):
        assert f"newswire_{service}_" in exprs
    assert "newswire_store_end_to_end_latency_seconds_bucket" in exprs
    assert "dead_letters_total" in exprs


@pytest.mark.parametrize("path", _dashboards(), ids=lambda path: path.name)
def test_no_two_dashboard_panels_overlap(path: Path) -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in load_json(path)["panels"]:
        grid = panel["gridPos"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"{panel['title']!r} overlaps {cells[(x, y)]!r}"
                cells[(x, y)] = panel["title"]


def test_the_feeds_row_shows_each_source_against_the_threshold_its_stale_alert_uses() -> None:
    (rule,) = [rule for rule in _alert_rules() if rule["alert"] == "NewswireFeedStale"]
    signal, _, threshold = " ".join(rule["expr"].split()).partition(" > ")
    dashboard = load_json(DASHBOARDS / "newswire-overview.json")
    (panel,) = [
        panel
        for panel in _query_panels(dashboard)
        if any("newswire_poll_last_success_timestamp_seconds" in t["expr"] for t in panel["targets"])
    ]
    exprs = [" ".join(target["expr"].split()) for target in panel["targets"]]

    assert signal == "time() - newswire_poll_last_success_timestamp_seconds"
    assert any(expr.startswith("time() - ") for expr in exprs)
    assert any(threshold in expr for expr in exprs), f"no panel query draws {threshold}"
    assert panel["fieldConfig"]["defaults"]["unit"] == "s"


def test_every_prometheus_of_ours_scrapes_the_same_newswire_jobs_and_alerts_when_one_is_down() -> None:
    compose_jobs = {job["job_name"] for job in load_one(PROMETHEUS / "prometheus.yml")["scrape_configs"]}
    local = load_one(PROMETHEUS / "prometheus.local.yml")["scrape_configs"]
    pod_monitors = [
        doc for doc in load_yaml(DEPLOY / "k8s" / "base" / "podmonitors.yaml") if doc["kind"] == "PodMonitor"
    ]
    k8s_jobs = {
        relabel["replacement"]
        for monitor in pod_monitors
        for endpoint in monitor["spec"]["podMetricsEndpoints"]
        for relabel in endpoint["relabelings"]
        if relabel["targetLabel"] == "job"
    }
    (target_down,) = [rule for rule in _alert_rules() if rule["alert"] == "NewswireTargetDown"]
    (pattern,) = re.findall(r'up\{job=~"([^"]+)"\}', target_down["expr"])
    newswire = {job for job in compose_jobs if job.startswith("newswire-")}

    assert newswire == {*SCRAPED, "newswire-lag"}
    assert {job["job_name"] for job in local if job["job_name"].startswith("newswire-")} == newswire
    assert k8s_jobs == newswire
    for job in local:
        if job["job_name"].startswith("newswire-"):
            # scripts/services.sh and the test stacks write <job>-<name>.json for each service they start.
            (sd,) = job["file_sd_configs"]
            assert sd["files"] == [f"@TARGETS_DIR@/{job['job_name']}-*.json"]
    for job in newswire:
        assert re.fullmatch(pattern, job), f"NewswireTargetDown does not cover {job}"


def test_dashboards_and_alert_rules_only_name_metrics_the_services_declare() -> None:
    declared = _declared_metrics()
    used = {
        _base_name(name)
        for expr in [*_rule_exprs(), *(e for p in _dashboards() for e in _exprs(load_json(p)))]
        for name in METRIC.findall(expr)
    }

    assert used - declared == set(), (
        "rename these in deploy/grafana or deploy/prometheus/rules, or declare them"
    )


def test_prometheus_config_and_rules_pass_promtool(tmp_path: Path) -> None:
    subprocess.run(
        [tool("promtool"), "check", "config", "--syntax-only", str(PROMETHEUS / "prometheus.yml")],
        check=True,
        capture_output=True,
    )
    for rules in sorted((PROMETHEUS / "rules").glob("*.yml")):
        subprocess.run([tool("promtool"), "check", "rules", str(rules)], check=True, capture_output=True)


def test_the_alert_rules_fire_as_their_promtool_unit_tests_say() -> None:
    for spec in sorted((PROMETHEUS / "tests").glob("*.yml")):
        result = subprocess.run(
            [tool("promtool"), "test", "rules", str(spec)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    import yaml

    exprs = [e for path in _dashboards() for e in _exprs(load_json(path))]
    for macro, value in MACROS.items():
        exprs = [expr.replace(macro, value) for expr in exprs]
    rules = [{"record": f"dashboard:query_{i}", "expr": expr} for i, expr in enumerate(exprs)]
    rule_file = tmp_path / "dashboard-queries.yml"
    rule_file.write_text(
        yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}), encoding="utf-8"
    )

    result = subprocess.run(
        [tool("promtool"), "check", "rules", str(rule_file)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def render(template: Path, out: Path, values: dict[str, str]) -> Path:
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    assert "@" not in "".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    out.write_text(text, encoding="utf-8")
    return out


def test_the_local_stack_configs_pass_promtool_and_amtool_once_rendered(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for path in (PROMETHEUS / "rules").glob("*.yml"):
        (rules / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    ports = {
        "PROMETHEUS_PORT": "1",
        "ALERTMANAGER_PORT": "2",
        "POSTGRES_EXPORTER_PORT": "3",
        "KAFKA_JMX_PORT": "4",
    }
    prometheus = render(
        PROMETHEUS / "prometheus.local.yml",
        tmp_path / "prometheus.yml",
        {"SCRAPE_INTERVAL": "5s", "RULES_DIR": str(rules), "TARGETS_DIR": str(tmp_path), "PROFILE": "t",
         "RUNBOOKS": "file:///README.md", **ports},
    )  # fmt: skip
    alertmanager = render(
        DEPLOY / "alertmanager" / "alertmanager.local.yml",
        tmp_path / "alertmanager.yml",
        {"WEBHOOK_URL": "http://127.0.0.1:9/alerts", "GROUP_WAIT": "5s"},
    )

    checked = subprocess.run(
        [tool("promtool"), "check", "config", str(prometheus)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    checked = subprocess.run(
        [tool("amtool"), "check-config", str(alertmanager)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_alert_links_its_runbook_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path in sorted((PROMETHEUS / "rules").glob("*.yml")):
        for group in load_one(path)["groups"]:
            for rule in group["rules"]:
                if "alert" not in rule:
                    continue
                anchor = rule["alert"].lower()
                assert rule["annotations"]["runbook_url"] == "{{ $externalLabels.runbooks }}#" + anchor
                assert f'<a id="{anchor}"></a>' in readme, f"README.md has no runbook for {rule['alert']}"


def test_the_news_dashboard_queries_postgres_as_the_read_only_analyst() -> None:
    (path,) = _sql_dashboards()
    dashboard = load_json(path)
    (variable,) = dashboard["templating"]["list"]
    (datasource,) = load_one(GRAFANA / "provisioning" / "datasources" / "postgres.yml")["datasources"]
    grafana_env = compose()["services"]["grafana"]["environment"]

    assert datasource["user"] == "newswire_analyst"
    assert datasource["secureJsonData"]["password"] == "$NEWSWIRE_ANALYST_PASSWORD"
    assert "NEWSWIRE_ANALYST_PASSWORD" in grafana_env
    assert variable["current"]["value"] == datasource["uid"]
    titles = {panel["title"] for panel in _query_panels(dashboard)}
    assert {"geomap", "table"} <= {panel["type"] for panel in _query_panels(dashboard)}
    assert len(titles) == 5
    for panel in _query_panels(dashboard):
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${postgres}"
            assert target["rawSql"].lstrip().upper().startswith("SELECT")


def test_the_k8s_prometheus_rule_is_the_rule_files_unchanged() -> None:
    rule = load_one(DEPLOY / "k8s" / "base" / "prometheusrule.yaml")
    groups = [
        group for path in sorted((PROMETHEUS / "rules").glob("*.yml")) for group in load_one(path)["groups"]
    ]

    assert rule["kind"] == "PrometheusRule"
    assert rule["spec"]["groups"] == groups, "run `make manifests` after editing deploy/prometheus/rules"
    assert "prometheusrule.yaml" in load_one(DEPLOY / "k8s" / "base" / "kustomization.yaml")["resources"]


def test_the_k8s_dashboards_configmap_is_generated_from_every_dashboard_file() -> None:
    kust = load_one(GRAFANA / "kustomization.yaml")
    (generator,) = kust["configMapGenerator"]

    assert sorted(generator["files"]) == sorted(f"dashboards/{p.name}" for p in DASHBOARDS.glob("*.json"))
    assert generator["options"]["labels"] == {"grafana_dashboard": "1"}
    assert "../../grafana" in load_one(DEPLOY / "k8s" / "base" / "kustomization.yaml")["resources"]


def test_every_image_names_an_exact_version() -> None:
    images = [service["image"] for service in compose()["services"].values() if "image" in service]
    images += re.findall(
        r"^\s+(?:image|imageName): (\S+)$", "".join(p.read_text() for p in DEPLOY.rglob("*.yaml")), re.M
    )
    third_party = [
        image
        for image in images
        if not image.split(":")[0].endswith("newswire") and "NEWSWIRE_IMAGE" not in image
    ]

    assert third_party
    for image in third_party:
        tag = image.partition(":")[2]
        assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?", tag), (
            f"{image}: pin an exact version, not {tag or 'latest'}"
        )
    kafka_images = {image for image in third_party if image.startswith("apache/kafka:")}
    pom = (REPO / "infra" / "kafka" / "pom.xml").read_text(encoding="utf-8")
    (local_kafka,) = re.findall(r"<kafka.version>(.+)</kafka.version>", pom)
    assert kafka_images == {f"apache/kafka:{local_kafka}"}, "one Kafka version everywhere"
