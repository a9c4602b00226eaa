from __future__ import annotations

from pkgutil import extend_path
__path__ = extend_path(__path__, __name__)

import abc
import builtins
import datetime
import enum
import typing

import jsii
import publication
import typing_extensions

from jsii._type_checking import cached_type_hints, check_type


from ._jsii import *

class _LazyImport:
    def __init__(self, module_name: str) -> None:
        self._module_name = module_name
        self._module: typing.Any = None
    def __getattr__(self, name: str) -> typing.Any:
        if self._module is None:
            import importlib
            self._module = importlib.import_module(self._module_name)
        return getattr(self._module, name)

if typing.TYPE_CHECKING:

    import cdk8s as _cdk8s_d3d9af27
    import constructs as _constructs_77d1e7e8
else:

    _cdk8s_d3d9af27 = _LazyImport("cdk8s")
    _constructs_77d1e7e8 = _LazyImport("constructs")


class ManifestObject(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="ros-constructs-manifest.ManifestObject",
):
    '''An ApiObject handed over whole, as the JSON text of its manifest.

    Python renders each manifest itself and passes it as one string: one jsii round trip, where a
    struct or a JSON patch per field costs several plus a runtime type check per struct. cdk8s then
    renders it like any ApiObject made from props: the chart's namespace and labels, metadata
    changes, JSON patches and resolvers all apply.
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        manifest: builtins.str,
        cluster_scoped: typing.Optional[builtins.bool] = None,
    ) -> None:
        '''
        :param scope: the parent construct.
        :param id: the construct id.
        :param manifest: the object as JSON text: apiVersion, kind, metadata and its other fields.
        :param cluster_scoped: leave the chart's namespace out of the metadata.
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__91a3d1fc81a56df38bba97ae7ba7d7d487a69bd04cf1f4d76a0020cbf7c89dce)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
            check_type(argname="argument manifest", value=manifest, expected_type=type_hints["manifest"])
            check_type(argname="argument cluster_scoped", value=cluster_scoped, expected_type=type_hints["cluster_scoped"])
        jsii.create(self.__class__, self, [scope, id, manifest, cluster_scoped])


__all__ = [
    "ManifestObject",
]

publication.publish()

def _typecheckingstub__91a3d1fc81a56df38bba97ae7ba7d7d487a69bd04cf1f4d76a0020cbf7c89dce(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    manifest: builtins.str,
    cluster_scoped: typing.Optional[builtins.bool] = None,
) -> None:
    """Type checking stubs"""
    pass
