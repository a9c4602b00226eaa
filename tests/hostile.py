"""Hostile strings for the fuzzed values (``test_fuzz.py``): shell metacharacters, quotes,
whitespace, control characters, unicode and huge strings, put where strings reach commands and
configs (hosts, host:port lists, path prefixes, buckets, issuers, audiences, annotation and
extraEnv values). Each lands either in a values error or in output that passes the gate, where a
legitimate value is only data."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ros_constructs.values.base import MAX_ANNOTATIONS_BYTES

JsonLeaf = st.SearchStrategy[Any]

HUGE = ("x" * (MAX_ANNOTATIONS_BYTES + 1), "$(id)" * 20000, "a." * 200 + "com")
"""Beyond the annotation budget, a long command, a host name over 253 characters."""
NASTY = st.sampled_from(
    [
        "$(id)",
        "`id`",
        "a;id",
        "a && id",
        "a|id",
        "* ocp",
        "'",
        '"',
        "\\",
        "a b",
        "a\tb",
        "a\nb",
        "x\n",
        "\x00",
        "\x1b[31m",
        "ünïcödé",
        "\u202eevil",
        "-rf /",
        "%2e%2e",
        "{{ .Values }}",
        "${HOME}",
        "#",
        *HUGE,
    ]
)
HOSTILE = st.one_of(NASTY, st.text(max_size=12), st.builds("".join, st.lists(NASTY | st.text(max_size=3), max_size=3)))
"""Any of the above, arbitrary text, or pieces of both joined."""


def around(good: JsonLeaf) -> JsonLeaf:
    """Mostly well-formed values with hostile text put before or after some of them, or hostile text alone."""
    return st.one_of(
        good,
        st.builds(lambda g, h: f"{g}{h}", good, HOSTILE),
        st.builds(lambda h, g: f"{h}{g}", HOSTILE, good),
        HOSTILE,
    )


HOSTS = st.sampled_from(["kafka", "kafka-0.kafka.svc", "10.0.0.7", "[fd00::1]", "Kafka.Example.com"])
PORTS = st.sampled_from(["9092", "1", "65535", "0", "65536"])
BUCKETS = st.sampled_from(["koku-bucket", "a.b.c", "abc", "x" * 63])
PREFIXES = st.sampled_from(["/api/cost-management", "/cost", "/a/b-c/d_e", "/apis"])


def hostile_values() -> st.SearchStrategy[dict[str, Any]]:
    """Values where hostile strings reach commands and configs; merged over the fuzzer's own."""
    bootstrap = st.builds(lambda h, p: f"{h}:{p}", HOSTS, PORTS)
    annotations = st.dictionaries(st.sampled_from(["example.com/note", "a"]), around(st.just("plain")), max_size=2)
    extra_env = st.lists(
        st.fixed_dictionaries({"name": st.sampled_from(["EXPORT_FORMAT", "TZ"]), "value": HOSTILE}), max_size=2
    )
    jwt = st.fixed_dictionaries(
        {"issuer": around(st.just("https://sso.example.com/realms/cost"))},
        optional={
            "audiences": st.lists(around(st.just("cost-management-ui")), min_size=1, max_size=2),
            "claims": st.fixed_dictionaries({}, optional={"orgAdminRole": around(st.just("cost-admin"))}),
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "kafka": st.fixed_dictionaries({"bootstrapServers": around(bootstrap)}),
            "objectStorage": st.fixed_dictionaries(
                {"buckets": st.fixed_dictionaries({}, optional={"koku": around(BUCKETS), "upload": around(BUCKETS)})}
            ),
            "costManagement": st.fixed_dictionaries(
                {},
                optional={
                    "api": st.fixed_dictionaries({"pathPrefix": around(PREFIXES)}),
                    "services": st.fixed_dictionaries(
                        {"masu": st.fixed_dictionaries({"podAnnotations": annotations, "extraEnv": extra_env})}
                    ),
                    "extraEnv": extra_env,
                },
            ),
            "edge": st.fixed_dictionaries(
                {
                    "auth": st.fixed_dictionaries(
                        {"mode": st.sampled_from(["none", "gateway", "sidecars"]), "jwt": jwt}
                    ),
                    "exposure": st.fixed_dictionaries(
                        {"type": st.sampled_from(["none", "ingress"])},
                        optional={"host": around(st.just("cost.example.com")), "annotations": annotations},
                    ),
                }
            ),
            "database": st.fixed_dictionaries(
                {"mode": st.just("external"), "external": st.fixed_dictionaries({"host": around(HOSTS)})}
            ),
        },
    )
