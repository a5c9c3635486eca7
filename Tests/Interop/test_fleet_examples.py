"""The fleet example (issue 21, examples/deploying/fleet/): every Prometheus configuration passes
promtool, and the Collector gateway's configuration is consistent (pipelines name declared
components of kinds the contrib distribution has; the servers' endpoints reach its receiver)."""
import subprocess
from pathlib import Path

import pytest
import yaml

FLEET = Path(__file__).resolve().parents[2] / "examples" / "deploying" / "fleet"

# Components of opentelemetry-collector-contrib used here, by section.
CONTRIB = {"receivers": {"otlp"}, "processors": {"memory_limiter", "batch", "resource"},
           "exporters": {"prometheusremotewrite", "debug", "otlp", "otlphttp"}, "extensions": {"health_check"}}


@pytest.mark.parametrize("name", ["prometheus/site.yml", "prometheus/global-federation.yml", "otel-gateway/prometheus.yml"])
def test_prometheus_files_pass_promtool(name):
    result = subprocess.run(["promtool", "check", "config", str(FLEET / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_kubernetes_discovery_file_passes_promtool_but_for_the_discovery(tmp_path):
    config = yaml.safe_load((FLEET / "prometheus" / "kubernetes.yml").read_text())
    job = config["scrape_configs"][0]
    assert job["kubernetes_sd_configs"][0]["role"] == "pod"
    # site and rack come from what a cluster has: the pod's node's labels (pods of the example
    # manifests carry only app), which pod discovery exposes only with attach_metadata.
    assert job["kubernetes_sd_configs"][0]["attach_metadata"] == {"node": True}
    targets = {rule.get("target_label"): rule["source_labels"][0] for rule in job["relabel_configs"]}
    assert targets["site"] == "__meta_kubernetes_node_label_topology_kubernetes_io_zone"
    assert targets["rack"].startswith("__meta_kubernetes_node_label_")
    manifests = list(yaml.safe_load_all((FLEET.parent / "kubernetes" / "synse-server.yaml").read_text()))
    pod = next(m for m in manifests if m and m.get("kind") == "Deployment")["spec"]["template"]
    assert pod["metadata"]["labels"]["app"] == "synse-server"
    assert 5000 in [port["containerPort"] for c in pod["spec"]["containers"] for port in c.get("ports", [])]
    # Debian's promtool lacks Kubernetes discovery; everything else is still checked.
    job["static_configs"] = [{"targets": ["placeholder:5000"]}]
    del job["kubernetes_sd_configs"]
    (tmp_path / "k.yml").write_text(yaml.safe_dump(config))
    result = subprocess.run(["promtool", "check", "config", str(tmp_path / "k.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_collector_pipelines_name_declared_contrib_components():
    config = yaml.safe_load((FLEET / "otel-gateway" / "collector.yaml").read_text())
    for section, known in CONTRIB.items():
        for name in config.get(section, {}):
            assert name.split("/")[0] in known, f"{section}.{name}"
    pipelines = config["service"]["pipelines"]
    assert set(pipelines) == {"metrics", "traces", "logs"}
    for pipeline in pipelines.values():
        for section in ("receivers", "processors", "exporters"):
            for name in pipeline.get(section, []):
                assert name in config[section], f"{name} is not declared under {section}"
    assert set(config["service"]["extensions"]) <= set(config["extensions"])
    endpoints = {protocol["endpoint"].rsplit(":", 1)[1] for protocol in config["receivers"]["otlp"]["protocols"].values()}
    assert endpoints == {"4317", "4318"}


def test_compose_servers_send_to_the_gateway_with_their_site():
    compose = yaml.safe_load((FLEET / "otel-gateway" / "compose.yaml").read_text())
    servers = {name: service for name, service in compose["services"].items() if name.startswith("synse-")}
    assert len(servers) == 2
    for service in servers.values():
        environment = service["environment"]
        assert environment["SYNSE_OTEL_ENABLED"] == "true"
        port = {"grpc": "4317", "http/protobuf": "4318"}[environment["OTEL_EXPORTER_OTLP_PROTOCOL"]]
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://gateway:{port}"
        assert "site=" in environment["OTEL_RESOURCE_ATTRIBUTES"] and "rack=" in environment["OTEL_RESOURCE_ATTRIBUTES"]
    assert "./collector.yaml:/etc/otelcol/collector.yaml:ro" in compose["services"]["gateway"]["volumes"]
    assert "--web.enable-remote-write-receiver" in compose["services"]["prometheus"]["command"]
