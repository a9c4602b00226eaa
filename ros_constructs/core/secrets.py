"""Secret references, generation and the operator's notes; plain Python, no Node.

No credential is ever an env literal or a ConfigMap entry: each is a ``secretKeyRef`` or a
read-only file mount of a Secret. A Secret is either the operator's (bitnami's
``existingSecret`` pattern) or takes the documented name ``<release>-<what>``; the chart's own
credentials are generated from ``secrets.seed`` (HKDF-SHA256 over the seed, namespace, release,
Secret and key, so output is reproducible and differs between installs). Two credentials never
share a Secret key, and a user's Secret never takes the name of one the release makes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..values import Credential, Values, ValuesError
from ..values.pods import sections
from .references import KeyRef, References


class SecretRef(KeyRef):
    """One key of one Secret."""


@dataclass(frozen=True, kw_only=True)
class SecretPlan:
    """A Secret the release's credentials use: generated from the seed or expected to exist."""

    name: str
    keys: tuple[str, ...]
    generated: bool
    generatable: bool = True
    """Random values work (the chart's own credentials), as opposed to values from a provider."""
    literal: Mapping[str, str] = field(default_factory=dict)
    """Non-secret keys written as they are (a database user name)."""
    type: str = "Opaque"
    encoding: Literal["hex", "base64-raw"] = "hex"
    """How generated values are written: 64 hex characters, or 32 bytes as unpadded base64 (an AES key)."""
    placeholders: Mapping[str, str] = field(default_factory=dict)
    """Where the real value of a key comes from, for keys random values do not suit (NOTES.txt)."""
    file_keys: frozenset[str] = frozenset()
    """Keys whose value is a whole file (NOTES.txt suggests ``--from-file``)."""
    purpose: str = ""
    """The release's own name for this credential's Secret (``<release>-<what>``): what it is for."""
    documented: Mapping[str, str] = field(default_factory=dict)
    """Key in the Secret -> the credential's documented key it holds."""
    credential: Credential | None = field(default=None, compare=False, repr=False)
    """The values section the plan is made from (to name its path in errors)."""


def credential_secret(credential: Credential, default_name: str) -> str:
    """The Secret a credential section uses: its ``existingSecret.name`` or the default."""
    return credential.existing_secret.name or default_name


def credential_ref(credential: Credential, default_name: str, key: str, *, optional: bool = False) -> SecretRef:
    """The Secret key that holds the credential's documented ``key``."""
    name = credential_secret(credential, default_name)
    return SecretRef(name=name, key=credential.secret_key(key), optional=optional)


def plan(
    credential: Credential,
    default_name: str,
    *,
    seed: str | None,
    generatable: bool = True,
    literal: Mapping[str, str] | None = None,
    type: str = "Opaque",
    placeholders: Mapping[str, str] | None = None,
    file_keys: Iterable[str] = (),
) -> SecretPlan:
    """The plan for a credential section's Secret: generated when seeded and not the operator's.

    ``literal``, ``placeholders`` and ``file_keys`` name the credential's documented keys; the plan
    holds the keys of the Secret (``existingSecret.keys`` may map them).
    """
    literal = {credential.secret_key(k): v for k, v in (literal or {}).items()}
    keys = tuple(credential.secret_key(k) for k in credential.SECRET_KEYS if credential.secret_key(k) not in literal)
    generated = generatable and seed is not None and credential.existing_secret.name is None
    return SecretPlan(
        name=credential_secret(credential, default_name),
        keys=keys,
        generated=generated,
        generatable=generatable,
        literal=literal,
        type=type,
        placeholders={credential.secret_key(k): v for k, v in (placeholders or {}).items()},
        file_keys=frozenset(map(credential.secret_key, file_keys)),
        purpose=default_name,
        documented={credential.secret_key(k): k for k in credential.SECRET_KEYS},
        credential=credential,
    )


def checked_plans(plans: Iterable[SecretPlan], values: Values) -> list[SecretPlan]:
    """``plans`` with one plan per purpose, after checking that no ``existingSecret.name`` is a Secret
    the release names for another purpose and that no two purposes read one key of one Secret."""
    paths = {id(c): path for path, c in sections(values, Credential)}
    by_purpose = {p.purpose or p.name: p for p in plans}

    def where(plan: SecretPlan) -> str:
        return paths.get(id(plan.credential), plan.purpose or plan.name)

    own_names = {p.name: p for p in by_purpose.values() if p.name == p.purpose}
    holders: dict[tuple[str, str], SecretPlan] = {}
    for plan in by_purpose.values():
        owner = own_names.get(plan.name)
        if owner is not None and owner is not plan:
            raise ValuesError(
                f"{where(plan)}.existingSecret.name: {plan.name!r} is the Secret the release names for {where(owner)}; "
                "choose another name"
            )
        for key in (*plan.keys, *plan.literal):
            other = holders.setdefault((plan.name, key), plan)
            if other is not plan:
                raise ValuesError(
                    f"{where(plan)}.existingSecret: key {key!r} of Secret {plan.name!r} already holds "
                    f"{where(other)}'s {other.documented.get(key, key)}; map it to another key with existingSecret.keys"
                )
    return list(by_purpose.values())


HKDF_SALT = b"ros-constructs/secrets/v2"
"""HKDF's extract salt: fixed and public (RFC 5869 section 3.1); it names the derivation's version."""


def hkdf_sha256(seed: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 HKDF with SHA-256: extract with :data:`HKDF_SALT`, then expand ``info`` to ``length`` bytes."""
    prk = hmac.digest(HKDF_SALT, seed, hashlib.sha256)
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), hashlib.sha256)
        out, counter = out + block, counter + 1
    return out[:length]


def derive(seed: str, *, namespace: str, release: str, secret: str, key: str, encoding: str = "hex") -> str:
    """A stable random-looking value of 32 bytes, hex or unpadded base64: HKDF-SHA256 of the seed with
    the namespace, release, Secret and key as ``info`` (NUL-separated: none of them can hold a NUL),
    so one seed gives unrelated values in two namespaces or releases."""
    info = b"\0".join(part.encode() for part in (namespace, release, secret, key))
    digest = hkdf_sha256(seed.encode(), info)
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode().rstrip("=")


def generated_data(plan: SecretPlan, seed: str, *, namespace: str, release: str) -> dict[str, str]:
    """The string data of a generated Secret (literal keys as they are, the rest derived)."""
    derived = {
        k: derive(seed, namespace=namespace, release=release, secret=plan.name, key=k, encoding=plan.encoding)
        for k in plan.keys
    }
    return dict(sorted({**plan.literal, **derived}.items()))


def notes(
    namespace: str,
    references: References,
    plans: Iterable[SecretPlan],
    prerequisites: Iterable[str] = (),
    next_steps: Iterable[str] = (),
) -> str:
    """Instructions for what the pods reference but the output does not contain (NOTES.txt):
    the services and operators it expects, the Secrets and ConfigMaps to create, then what to do
    once it runs."""
    by_name = {p.name: p for p in plans}
    missing = references.missing()
    lines = ["What this output expects to exist before `kubectl apply -k dist/`:", ""]
    lines += [f"- {p}" for p in prerequisites] or ["(nothing outside the output)"]
    lines += ["", f"Objects in namespace {namespace} that the pods reference and the output does not create:", ""]
    if not missing:
        lines.append("(none: the output is self-contained)")
    for ref in missing:
        state = "optional" if ref.optional else "REQUIRED"
        known = by_name.get(ref.name)
        keys = sorted(ref.keys | set(known.keys if known else ()) | set(known.literal if known else ()))
        readers = sorted(ref.readers)
        readers_text = ", ".join(readers[:3]) + (f" and {len(readers) - 3} more" if len(readers) > 3 else "")
        lines.append(f"- {ref.kind} {ref.name} ({state}), keys: {', '.join(keys) or '(any)'}; read by {readers_text}")
        if ref.kind != "Secret":
            continue
        parts = [_create_argument(key, known) for key in keys]
        lines.append(f"    kubectl -n {namespace} create secret generic {ref.name} {' '.join(parts)}".rstrip())
    lines += [
        "",
        "Random values suit the release's own credentials (Django key, PSK, and the database, cache",
        "and object storage credentials when the release runs those stores: they read the same",
        "Secrets); cloud credentials, the Sentry DSN and external stores' logins come from their",
        "providers. Set secrets.seed to have the release generate its own credentials instead.",
    ]
    steps = list(next_steps)
    if steps:
        lines += ["", "Once it runs:", ""]
        lines += [f"- {step}" for step in steps]
    return "\n".join(lines) + "\n"


PROVIDED = "<from its provider>"
"""The placeholder for a key that random values do not suit and whose plan says no more."""


def _create_argument(key: str, known: SecretPlan | None) -> str:
    """The ``kubectl create secret generic`` argument for one key: the literal, a random value
    for the release's own credentials, else a placeholder saying where the real value comes from."""
    if known and key in known.literal:
        return f"--from-literal={key}={known.literal[key]}"
    if known and known.generatable:
        value = "openssl rand -hex 32" if known.encoding == "hex" else "openssl rand -base64 32 | tr -d ="
        return f"--from-literal={key}=$({value})"
    source = "file" if known and key in known.file_keys else "literal"
    return f"--from-{source}={key}={known.placeholders.get(key, PROVIDED) if known else PROVIDED}"


def required(references: References) -> list[str]:
    """Names of the Secrets that must exist before applying (referenced, not optional, not in the output)."""
    return [r.name for r in references.missing() if r.kind == "Secret" and not r.optional]
