"""Fuzzed values: every values file either synthesizes output that passes the gate, or fails
with a values error whose every line starts with a field path (exit 2, output left alone).

One generator of values mappings feeds three properties. It makes nested partial overrides,
replica counts from negative to beyond int32, good and bad quantities, long release names,
odd queue names under ``extraPools``, extraEnv literals and Secret references, unknown keys,
wrong types, and both platforms; over them, hostile strings (``hostile.py``: shell metacharacters,
quotes, whitespace, unicode, huge strings) where strings reach commands and configs.

* :func:`test_values_are_valid_or_fail_with_field_paths` validates everything the generator
  makes, valid or not (a few ms an example). The values model must never crash and must always
  name the field at fault.
* :func:`test_valid_values_synthesize_and_pass_the_gate` uses the same generator with the bad
  leaves switched off, so most examples are valid. It synthesizes each valid one in-process,
  then runs strict Kubernetes validation and every invariant of ``tests/test_gate.py``. At about
  1 to 1.5 s an example on 2 cores (most of it in jsii), this is the expensive property, so it
  gets a third as many examples as the first.
* :func:`test_cli_rejects_invalid_values_cleanly` runs ``python -m ros_constructs.tools.cli`` on a small
  sample of invalid files, a subprocess each. It must exit 2, print the same problem lines and no
  traceback, and leave the output directory untouched.

``EDGE_CASES`` keeps the cases the generator found as fixed regression tests.

Example counts come from the hypothesis settings profile named by ``HYPOTHESIS_PROFILE``:

* ``ci`` (the default) is derandomized, so CI runs the same examples every time: 90
  validations, 30 synthesis examples and 6 CLI runs, enough to catch a regression in any
  generator branch; the edge cases below run as well.
* ``fuzz`` (``make fuzz``) is random and runs 33 times as many: 3000, 1000 and 200.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SHARED, render, to_yaml
from hostile import hostile_values
from hypothesis import HealthCheck, Phase, assume, currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st
from policies import custom_resource_errors, is_builtin
from test_gate import invariant_problems

from ros_constructs.values import KOKU_QUEUES, Values, ValuesError, load, parse
from ros_constructs.values.loading import deep_merge
from ros_constructs.values.model import SEED_MIN_BITS, seed_bits

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
# ci: the same examples on every run and no shrinking (shrinking a failing synthesis reruns it
# hundreds of times: measured 265 s), so a red CI reports the example as generated. fuzz:
# random examples, shrunk to a minimal one. Neither runs the "explain" phase (another minute).
settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=_SLOW,
    phases=[Phase.explicit, Phase.generate],
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=_SLOW,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    print_blob=True,
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
BASE = PROFILE.max_examples


def examples(share: float) -> settings:
    """The profile with ``share`` of its example count (at least 1)."""
    return settings(PROFILE, max_examples=max(1, round(BASE * share)))


# --- leaves: each is (good values, bad values) ---------------------------------------------------

JsonLeaf = st.SearchStrategy[Any]

WRONG_TYPES: JsonLeaf = st.sampled_from(["many", None, [], {}, [1, 2], {"a": 1}, 1.5, "", "yes please"])


def leaf(good: JsonLeaf, bad: JsonLeaf, with_bad: bool) -> JsonLeaf:
    """``good`` only, or a mix of good, bad and wrongly typed values."""
    return st.one_of(good, bad, WRONG_TYPES) if with_bad else good


REPLICAS_GOOD = st.one_of(st.integers(0, 6), st.sampled_from([0, 1, 2, 100, 2**31 - 1, 2**31, 10**12]))
REPLICAS_BAD = st.one_of(st.integers(-5, -1), st.sampled_from([-(2**40), "3 pods"]))
CPU_GOOD = st.sampled_from(["50m", "100m", "250m", "1", "2", "0.5", "1500m", 1, 2, 0.5])
CPU_BAD = st.sampled_from(["2 cores", "-1", "1e3", "abc", "100Mi", "1.", "m", True])
MEMORY_GOOD = st.sampled_from(["64Mi", "256Mi", "512Mi", "1Gi", "2Gi", "1G", "500M", "0.5Gi", 1073741824])
MEMORY_BAD = st.sampled_from(["1GB", "-1Mi", "1 Gi", "lots", "1.5.Gi", "Mi", False])
DNS_LABEL = st.from_regex(r"[a-z]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
DNS_BAD = st.sampled_from(["Cost_Onprem", "-x", "x-", "a" * 64, "ünï", "a.b", "UPPER"])
QUEUE_GOOD = st.from_regex(r"[a-z0-9]([a-z0-9_-]{0,18}[a-z0-9])?", fullmatch=True)
QUEUE_ODD = st.sampled_from(
    ["Reports", "a.b", "_x", "x_", "", "q" * 60, "priority-xl", "celery", "ünicode", "a b", "a:b", "1", "x--y__z"]
)
# "Good" means the values model accepts it (with a value, a secretKeyRef or either). The gate
# says a literal never carries a secret and an extra variable never shadows one the chart sets.
ENV_NAME_GOOD = st.sampled_from(
    [
        "EXPORT_FORMAT",
        "LOG_FORMAT",
        "FEATURE_X_ENABLED",
        "TZ",
        "CLOUD_CREDENTIALS",
        "WORKER_QUEUES",
        "DATABASE_PASSWORD",
    ]
)
ENV_NAME_BAD = st.sampled_from(["1X", "A-B", "", "a b"])
ENV_VALUE = st.one_of(
    st.text(max_size=20), st.sampled_from(["parquet", "https://example.com/x", "redis://koku:hunter2@redis:6379/1"])
)
DIGEST_GOOD = st.from_regex(r"sha256:[a-f0-9]{64}", fullmatch=True)
DIGEST_BAD = st.sampled_from(["sha256:abc", "md5:" + "0" * 32, "sha256:" + "G" * 64])
TAG_GOOD = st.sampled_from(["1", "d8055ac", "v1.2.3", "2024.01"])
TAG_BAD = st.sampled_from(["latest", ""])
SEED_GOOD = st.from_regex(r"[a-z0-9-]{16,40}", fullmatch=True).filter(lambda seed: seed_bits(seed) >= SEED_MIN_BITS)
LABEL_KEY_GOOD = st.sampled_from(["disk", "node-role.kubernetes.io/cost", "example.com/tier", "a_b.c-D"])
LABEL_KEY_BAD = st.sampled_from(["", "-a", "a/b/c", "Example.com/x", "k" * 64, "app.kubernetes.io/component"])
LABEL_VALUE_GOOD = st.sampled_from(["", "ssd", "A_b.c-1"])
LABEL_VALUE_BAD = st.sampled_from(["-x", "a b", "v" * 64])
TOLERATION_GOOD = st.sampled_from(
    [
        {"key": "dedicated", "operator": "Equal", "value": "cost", "effect": "NoSchedule"},
        {"operator": "Exists"},
        {
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
        {"key": "gpu"},
    ]
)
TOLERATION_BAD = st.sampled_from(
    [
        {"operator": "Equal"},
        {"key": "a", "operator": "In"},
        {"key": "a", "operator": "Exists", "value": "b"},
        {"key": "a", "tolerationSeconds": 5},
        {"key": "a", "effect": "Never"},
    ]
)
AFFINITY_GOOD = st.sampled_from(
    [
        {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}},
        {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]
                }
            }
        },
    ]
)
AFFINITY_BAD = st.sampled_from([{"nodeAfinity": {}}, {"podAffinity": []}])
SPREAD_GOOD = st.sampled_from(
    [
        {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"},
        {
            "maxSkew": 2,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "minDomains": 2,
        },
    ]
)
SPREAD_BAD = st.sampled_from(
    [
        {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"},
        {"maxSkew": 1, "topologyKey": "zone"},
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "minDomains": 2},
    ]
)
PRIORITY_GOOD = st.sampled_from(["cost-high", "system-cluster-critical", "a.b-c"])
PRIORITY_BAD = st.sampled_from(["High", "-a", "a_b", "p" * 254])


def section(required: dict[str, JsonLeaf], optional: dict[str, JsonLeaf], with_bad: bool) -> JsonLeaf:
    """A partial mapping of ``optional`` keys; with bad leaves it may gain a typo or be a wrong type."""
    mapping = st.fixed_dictionaries(required, optional=optional)
    if not with_bad:
        return mapping
    typo = st.fixed_dictionaries({}, optional={"replicass": st.just(1), "enabeld": st.just(True), "Mode": st.just(1)})
    return st.one_of(st.builds(lambda a, b: {**a, **b}, mapping, typo), WRONG_TYPES)


def resources(with_bad: bool) -> JsonLeaf:
    cpu, memory = leaf(CPU_GOOD, CPU_BAD, with_bad), leaf(MEMORY_GOOD, MEMORY_BAD, with_bad)
    return section(
        {},
        {
            "requests": section({}, {"cpu": cpu, "memory": memory}, with_bad),
            "limits": section({}, {"cpu": st.one_of(st.none(), cpu), "memory": memory}, with_bad),
        },
        with_bad,
    )


def extra_env(with_bad: bool) -> JsonLeaf:
    """``extraEnv`` lists: literals and Secret references (with bad leaves: neither or both)."""
    name = leaf(ENV_NAME_GOOD, ENV_NAME_BAD, with_bad)
    key_ref = section(
        {"key": st.sampled_from(["token", "value"]), "name": leaf(DNS_LABEL, DNS_BAD, with_bad)}, {}, with_bad
    )
    literal = section({"name": name, "value": ENV_VALUE}, {}, with_bad)
    from_secret = section({"name": name, "secretKeyRef": key_ref}, {"optional": st.booleans()}, with_bad)
    kinds = [literal, from_secret]
    if with_bad:
        kinds += [
            section({"name": name}, {}, with_bad),
            section({"name": name, "value": ENV_VALUE, "secretKeyRef": key_ref}, {}, with_bad),
        ]
    return st.lists(st.one_of(*kinds), max_size=2)


def labels(with_bad: bool) -> JsonLeaf:
    keys = st.one_of(LABEL_KEY_GOOD, LABEL_KEY_BAD) if with_bad else LABEL_KEY_GOOD  # keys must be hashable
    return st.dictionaries(keys, leaf(LABEL_VALUE_GOOD, LABEL_VALUE_BAD, with_bad), max_size=2)


def scheduling(with_bad: bool) -> dict[str, JsonLeaf]:
    """The scheduling keys of the top-level ``scheduling`` and of every block that owns pods."""
    return {
        "nodeSelector": st.one_of(st.none(), labels(with_bad)),
        "tolerations": st.lists(leaf(TOLERATION_GOOD, TOLERATION_BAD, with_bad), max_size=2),
        "affinity": leaf(AFFINITY_GOOD, AFFINITY_BAD, with_bad),
        "topologySpreadConstraints": st.one_of(
            st.none(), st.lists(leaf(SPREAD_GOOD, SPREAD_BAD, with_bad), max_size=2)
        ),
        "priorityClassName": leaf(PRIORITY_GOOD, PRIORITY_BAD, with_bad),
    }


def pod_settings(with_bad: bool) -> dict[str, JsonLeaf]:
    """What every block that owns pods takes besides its own keys (``extraEnv`` aside)."""
    return {
        **scheduling(with_bad),
        "podLabels": labels(with_bad),
        "podAnnotations": st.dictionaries(LABEL_KEY_GOOD, ENV_VALUE),
    }


def pool(with_bad: bool) -> JsonLeaf:
    replicas = leaf(REPLICAS_GOOD, REPLICAS_BAD, with_bad)
    return section(
        {},
        {
            "enabled": st.booleans(),
            "replicas": replicas,
            "minReplicas": replicas,
            "maxReplicas": leaf(st.integers(1, 20), st.integers(-2, 0), with_bad),
            "autoscaling": leaf(st.sampled_from(["none", "hpa", "keda", None]), st.just("vpa"), with_bad),
            "scalesOnBacklog": st.booleans(),
            "maxTaskSeconds": leaf(st.integers(1, 7200), st.just(0), with_bad),
            "terminationGracePeriodSeconds": leaf(st.integers(1, 9000), st.just(-1), with_bad),
            "concurrency": leaf(st.integers(1, 64), st.sampled_from([0, 65]), with_bad),
            "kedaThreshold": leaf(st.floats(0.5, 500), st.just(0), with_bad),
            "resources": resources(with_bad),
            "extraEnv": extra_env(with_bad),
            **pod_settings(with_bad),
        },
        with_bad,
    )


def api_deployment(with_bad: bool) -> JsonLeaf:
    replicas = leaf(REPLICAS_GOOD, REPLICAS_BAD, with_bad)
    return section(
        {},
        {
            "replicas": replicas,
            "resources": resources(with_bad),
            "extraEnv": extra_env(with_bad),
            "gunicorn": section(
                {},
                {"workers": leaf(st.integers(1, 64), st.sampled_from([0, 65]), with_bad), "threads": st.booleans()},
                with_bad,
            ),
            "autoscaling": section(
                {},
                {
                    "enabled": st.booleans(),
                    "minReplicas": leaf(st.integers(1, 10), st.just(0), with_bad),
                    "maxReplicas": leaf(st.integers(1, 30), st.just(0), with_bad),
                    "targetCpuUtilizationPercentage": leaf(st.integers(1, 100), st.sampled_from([0, 101]), with_bad),
                },
                with_bad,
            ),
        },
        with_bad,
    )


def values_data(with_bad: bool) -> st.SearchStrategy[dict[str, Any]]:
    """A values mapping: every key optional (defaults fill the rest), sections nested partially, hostile
    strings over it in about half the examples."""
    replicas = leaf(REPLICAS_GOOD, REPLICAS_BAD, with_bad)
    dns = leaf(DNS_LABEL, DNS_BAD, with_bad)
    release = st.one_of(
        dns, st.from_regex(r"[a-z][a-z0-9-]{20,45}[a-z0-9]", fullmatch=True)
    )  # long names: the limit falls inside this range, so both sides are hit
    image = section(
        {},
        {
            "tag": st.one_of(st.none(), leaf(TAG_GOOD, TAG_BAD, with_bad)),
            "digest": leaf(DIGEST_GOOD, DIGEST_BAD, with_bad),
        },
        with_bad,
    )
    queues = st.one_of(QUEUE_GOOD, QUEUE_ODD) if with_bad else QUEUE_GOOD
    service = section(
        {},
        {
            "enabled": st.booleans(),
            "replicas": replicas,
            "resources": resources(with_bad),
            "extraEnv": extra_env(with_bad),
            **pod_settings(with_bad),
        },
        with_bad,
    )
    singleton = section(
        {}, {"enabled": st.booleans(), "replicas": leaf(st.integers(0, 1), st.just(2), with_bad)}, with_bad
    )

    def existing_secret(keys: JsonLeaf) -> JsonLeaf:
        return section({}, {"name": dns, "keys": keys}, with_bad)

    own = st.fixed_dictionaries(
        {},
        optional={
            "secrets": section(
                {}, {"seed": st.one_of(st.none(), leaf(SEED_GOOD, st.just("too-short"), with_bad))}, with_bad
            ),
            "database": section(
                {},
                {
                    "mode": leaf(st.sampled_from(["internal", "cloudnativepg"]), st.just("sqlite"), with_bad),
                    "koku": section(
                        {},
                        {
                            "existingSecret": existing_secret(
                                leaf(st.sampled_from([{}, {"username": "user"}]), st.just({"login": "x"}), with_bad)
                            )
                        },
                        with_bad,
                    ),
                },
                with_bad,
            ),
            "kafka": section(
                {},
                {
                    "mode": st.sampled_from(["external", "strimzi"]),
                    "securityProtocol": leaf(
                        st.sampled_from(["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]), st.just("SSL"), with_bad
                    ),
                },
                with_bad,
            ),
            "objectStorage": section(
                {}, {"mode": leaf(st.sampled_from(["minio", "odf"]), st.just("gcs"), with_bad)}, with_bad
            ),
            "cache": section(
                {},
                {
                    "tls": section({}, {"enabled": st.booleans()}, with_bad),
                    "auth": section(
                        {},
                        {
                            "enabled": st.booleans(),
                            "existingSecret": existing_secret(st.sampled_from([{}, {"password": "redis-password"}])),
                        },
                        with_bad,
                    ),
                },
                with_bad,
            ),
            "release": release,
            "namespace": dns,
            "scheduling": section({}, scheduling(with_bad), with_bad),
            "platform": leaf(st.sampled_from(["kubernetes", "openshift"]), st.just("gke"), with_bad),
            "images": section(
                {},
                {
                    "requireDigests": st.booleans(),
                    "pullPolicy": leaf(st.sampled_from(["IfNotPresent", "Always"]), st.just("Sometimes"), with_bad),
                    "pullSecrets": st.lists(dns, max_size=2),
                    "koku": image,
                    "nginx": image,
                },
                with_bad,
            ),
            "costManagement": section(
                {},
                {
                    "api": section(
                        {},
                        {
                            "mode": leaf(st.sampled_from(["split", "unified"]), st.just("both"), with_bad),
                            "reads": api_deployment(with_bad),
                            "writes": api_deployment(with_bad),
                            "unified": api_deployment(with_bad),
                            "router": section(
                                {},
                                {
                                    "type": leaf(st.sampled_from(["nginx", "gatewayApi"]), st.just("envoy"), with_bad),
                                    "replicas": replicas,
                                    "rosApi": section({}, {"service": dns}, with_bad),
                                },
                                with_bad,
                            ),
                            "readReplica": section(
                                {},
                                {"enabled": st.booleans(), "host": st.just("db-ro.example.internal")},
                                with_bad,
                            ),
                            "migrations": section({}, {"enabled": st.booleans()}, with_bad),
                        },
                        with_bad,
                    ),
                    "workers": section(
                        {},
                        {
                            "autoscaling": leaf(st.sampled_from(["none", "hpa", "keda"]), st.just("auto"), with_bad),
                            "keda": section(
                                {},
                                {
                                    "trigger": leaf(
                                        st.sampled_from(["prometheus", "redis"]), st.just("kafka"), with_bad
                                    ),
                                    "redis": section(
                                        {}, {"databaseIndex": leaf(st.integers(0, 15), st.just(-1), with_bad)}, with_bad
                                    ),
                                },
                                with_bad,
                            ),
                            "alerts": section({}, {"enabled": st.one_of(st.none(), st.booleans())}, with_bad),
                            "pools": st.dictionaries(
                                st.sampled_from(KOKU_QUEUES) | (st.just("reports") if with_bad else st.nothing()),
                                pool(with_bad),
                                max_size=4,
                            ),
                            "extraPools": st.dictionaries(queues, pool(with_bad), max_size=3),
                        },
                        with_bad,
                    ),
                    "beat": singleton,
                    "extraEnv": extra_env(with_bad),
                    "cloudCredentials": section(
                        {},
                        {
                            "aws": section(
                                {},
                                {
                                    "enabled": st.booleans(),
                                    "existingSecret": existing_secret(st.just({})),
                                    "credentialsFile": st.booleans(),
                                },
                                with_bad,
                            ),
                            "gcp": section(
                                {}, {"enabled": st.booleans(), "existingSecret": existing_secret(st.just({}))}, with_bad
                            ),
                        },
                        with_bad,
                    ),
                    "sentry": section(
                        {}, {"enabled": st.booleans(), "existingSecret": existing_secret(st.just({}))}, with_bad
                    ),
                    "sources": section({}, {"existingSecret": existing_secret(st.just({}))}, with_bad),
                    "services": section(
                        {},
                        {"listener": service, "sourcesListener": singleton, "masu": service, "sourcesClient": service},
                        with_bad,
                    ),
                },
                with_bad,
            ),
        },
    )
    return st.builds(deep_merge, own, st.one_of(st.just({}), hostile_values()))


# --- the properties ------------------------------------------------------------------------------

TOP_LEVEL = {field.alias or name for name, field in Values.model_fields.items()}


def assert_field_paths(problems: list[str]) -> None:
    """One line per problem, each ``<field path>: <message>`` with a path rooted in the values."""
    assert problems
    for problem in problems:
        path, sep, message = problem.partition(": ")
        assert sep and message and "\n" not in problem, problem
        assert path == "(top level)" or path.split(".")[0] in TOP_LEVEL, problem


def record(outcome: str) -> None:
    """Count outcomes in ``--hypothesis-show-statistics`` (only inside a hypothesis test)."""
    if currently_in_test_context():
        event(outcome)


def validate(data: dict[str, Any]) -> Values | None:
    """The parsed values, or None after checking the values error (the property's first half)."""
    try:
        values = parse(data)
    except ValuesError as err:
        assert_field_paths(err.problems)
        record("invalid")
        return None
    record("valid")
    return values


@given(values_data(with_bad=True))
@examples(1.5)
def test_values_are_valid_or_fail_with_field_paths(data: dict[str, Any]) -> None:
    validate(data)


def synthesize_and_check(data: dict[str, Any]) -> None:
    """The whole property: a clean values error, or output that passes every gate check."""
    values = validate(data)
    if values is None:
        return
    try:  # what only the built pods show (extraEnv over a generated variable, Secret collisions)
        docs = [obj for chart in render(values).values() for obj in chart]
    except ValuesError:
        return
    if currently_in_test_context():
        note(f"{len(docs)} objects")
    assert invariant_problems(values, docs) == {}
    if (SHARED / "crds").is_dir():
        crds = SHARED / "crds"
        custom = [
            f"{o['kind']}/{o['metadata']['name']}: {e}"
            for o in docs
            if not is_builtin(o)
            for e in custom_resource_errors(o, crds)
        ]
        assert custom == []


@given(values_data(with_bad=False))
@examples(0.5)
def test_valid_values_synthesize_and_pass_the_gate(data: dict[str, Any]) -> None:
    synthesize_and_check(data)


EDGE_CASES: dict[str, dict[str, Any]] = {
    # Found by this generator; kept as fixed cases so they are checked on every run.
    "replicas-beyond-int32": {"costManagement": {"api": {"writes": {"replicas": 2**31}}}},
    "longest-release-fits-every-name-and-cron-job": {"release": "r" * 34},
    "replicas-beyond-float-precision": {"costManagement": {"services": {"listener": {"replicas": 10**30}}}},
    "secret-literal-in-extra-env": {
        "costManagement": {"workers": {"extraPools": {"export": {"extraEnv": [{"name": "DB_PASSWORD", "value": "x"}]}}}}
    },
    "credentials-literal-in-extra-env": {"costManagement": {"extraEnv": [{"name": "CLOUD_CREDENTIALS", "value": "x"}]}},
    "url-credentials-in-extra-env": {
        "costManagement": {
            "workers": {"pools": {"hcs": {"extraEnv": [{"name": "BROKER", "value": "redis://u:p@cache:6379/1"}]}}}
        }
    },
    "extra-env-shadows-a-secret-ref": {
        "costManagement": {
            "extraEnv": [{"name": "DATABASE_PASSWORD", "secretKeyRef": {"name": "other-db", "key": "password"}}]
        }
    },
    "extra-env-shadows-a-setting": {
        "costManagement": {"workers": {"pools": {"ocp": {"extraEnv": [{"name": "WORKER_QUEUES", "value": "x"}]}}}}
    },
    "extra-env-secret-ref-is-declared": {
        "costManagement": {"extraEnv": [{"name": "EXTRA_TOKEN", "secretKeyRef": {"name": "extras", "key": "token"}}]}
    },
    "keda-redis-password-secret": {
        "cache": {"auth": {"enabled": True, "existingSecret": {"name": "valkey-auth"}}},
        "costManagement": {"workers": {"autoscaling": "keda", "keda": {"trigger": "redis"}}},
    },
    "extra-env-set-twice-in-one-list": {
        "costManagement": {
            "extraEnv": [
                {"name": "EXPORT_FORMAT", "secretKeyRef": {"name": "a", "key": "token"}},
                {"name": "EXPORT_FORMAT", "value": ""},
            ]
        }
    },
    # 37 + "-worker-cost-model-penalty" is 63 characters.
    "longest-release-name": {"release": "r" * 37, "platform": "openshift"},
    "one-too-long-release-name": {"release": "r" * 38},
    "null-cpu-request": {"costManagement": {"api": {"reads": {"resources": {"requests": {"cpu": None}}}}}},
    "list-memory-limit": {"costManagement": {"beat": {"resources": {"limits": {"memory": ["1Gi"]}}}}},
    "everything-autoscaled-by-hpa": {"costManagement": {"workers": {"autoscaling": "hpa"}}},
    "shell-text-is-data-in-annotations-and-env": {
        "edge": {"exposure": {"annotations": {"example.com/note": "$(id) `id` 'a' \"b\" ;|&"}}},
        "costManagement": {
            "services": {"masu": {"podAnnotations": {"a": "* ocp\n#"}}},
            "extraEnv": [{"name": "TZ", "value": "$(id) `id` * ocp"}],
        },
    },
    "ipv6-bootstrap-and-dotted-buckets": {
        "kafka": {"bootstrapServers": "[fd00::1]:9092,Kafka-0.Example.com:9093"},
        "objectStorage": {"buckets": {"koku": "cost.koku-bucket.1"}},
    },
    "beat-and-services-off": {
        "costManagement": {
            "beat": {"enabled": False},
            "services": {k: {"enabled": False} for k in ("listener", "sourcesListener", "masu", "sourcesClient")},
        }
    },
}


@pytest.mark.parametrize("data", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_edge_cases_synthesize_and_pass_the_gate(data: dict[str, Any]) -> None:
    synthesize_and_check(data)


ENV = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK8S_CHECK_UPGRADE": "false"}


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@given(values_data(with_bad=True))
@examples(0.1)
def test_cli_rejects_invalid_values_cleanly(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> None:
    try:
        parse(data)
    except ValuesError as err:
        parsed = err.problems
    else:
        assume(False)
    work = tmp_path_factory.mktemp("cli")
    values_file, out = work / "values.yaml", work / "dist"
    values_file.write_text(to_yaml(data))  # each value written out: values files may not use aliases
    with pytest.raises(ValuesError) as loaded:
        load([values_file])
    expected = loaded.value.problems
    suffix = f" (from {values_file})"
    assert [p.removesuffix(suffix) for p in expected] == parsed, "the same problems, naming the file that set the key"
    out.mkdir()
    (out / "40-cost-management.k8s.yaml").write_text("# from an earlier run\n")
    before = tree(work)
    result = subprocess.run(
        [sys.executable, "-m", "ros_constructs.tools.cli", "-f", str(values_file), "-o", str(out)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.rstrip("\n").split("\n") == ["invalid values:", *(f"  {p}" for p in expected)]
    assert tree(work) == before and sorted(p.name for p in work.iterdir()) == ["dist", "values.yaml"]


def test_the_generator_makes_both_kinds() -> None:
    """Guard against a generator that drifted into making only valid (or only invalid) values."""
    found: dict[bool, int] = {True: 0, False: 0}

    @given(values_data(with_bad=True))
    @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=_SLOW)
    def sample(data: dict[str, Any]) -> None:
        try:
            parse(data)
            found[True] += 1
        except ValuesError:
            found[False] += 1

    sample()
    assert found[True] >= 5 and found[False] >= 5, found


def test_field_path_check_rejects_a_bare_message() -> None:
    with pytest.raises(AssertionError):
        assert_field_paths(["something went wrong"])
    assert_field_paths(["costManagement.api.mode: 'x' is not one of 'split' or 'unified'"])
