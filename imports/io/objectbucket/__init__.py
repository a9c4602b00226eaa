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


class ObjectBucketClaim(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="ioobjectbucket.ObjectBucketClaim",
):
    '''
    :schema: ObjectBucketClaim
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        *,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        spec: typing.Optional[typing.Union["ObjectBucketClaimSpec", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''Defines a "ObjectBucketClaim" API object.

        :param scope: the scope in which to define this object.
        :param id: a scope-local name for the object.
        :param metadata: 
        :param spec: 
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__d196ec59a72c7dfa53b4f7550f19aeb10765f6f348b9770a6f99437a61ef79c0)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
        props = ObjectBucketClaimProps(metadata=metadata, spec=spec)

        jsii.create(self.__class__, self, [scope, id, props])

    @jsii.member(jsii_name="manifest")
    @builtins.classmethod
    def manifest(
        cls,
        *,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        spec: typing.Optional[typing.Union["ObjectBucketClaimSpec", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> typing.Any:
        '''Renders a Kubernetes manifest for "ObjectBucketClaim".

        This can be used to inline resource manifests inside other objects (e.g. as templates).

        :param metadata: 
        :param spec: 
        '''
        props = ObjectBucketClaimProps(metadata=metadata, spec=spec)

        return typing.cast(typing.Any, jsii.sinvoke(cls, "manifest", [props]))

    @jsii.member(jsii_name="toJson")
    def to_json(self) -> typing.Any:
        '''Renders the object to Kubernetes JSON.'''
        return typing.cast(typing.Any, jsii.invoke(self, "toJson", []))

    @jsii.python.classproperty
    @jsii.member(jsii_name="GVK")
    def GVK(cls) -> "_cdk8s_d3d9af27.GroupVersionKind":
        '''Returns the apiVersion and kind for "ObjectBucketClaim".'''
        return typing.cast("_cdk8s_d3d9af27.GroupVersionKind", jsii.sget(cls, "GVK"))


@jsii.data_type(
    jsii_type="ioobjectbucket.ObjectBucketClaimProps",
    jsii_struct_bases=[],
    name_mapping={"metadata": "metadata", "spec": "spec"},
)
class ObjectBucketClaimProps:
    def __init__(
        self,
        *,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        spec: typing.Optional[typing.Union["ObjectBucketClaimSpec", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''
        :param metadata: 
        :param spec: 

        :schema: ObjectBucketClaim
        '''
        if isinstance(metadata, dict):
            metadata = _cdk8s_d3d9af27.ApiObjectMetadata(**metadata)
        if isinstance(spec, dict):
            spec = ObjectBucketClaimSpec(**spec)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__58d0f0b2568190e7d97a10831fcae861acb66d1a0da7697f41eac1cce7e7fc35)
            check_type(argname="argument metadata", value=metadata, expected_type=type_hints["metadata"])
            check_type(argname="argument spec", value=spec, expected_type=type_hints["spec"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if metadata is not None:
            self._values["metadata"] = metadata
        if spec is not None:
            self._values["spec"] = spec

    @builtins.property
    def metadata(self) -> typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"]:
        '''
        :schema: ObjectBucketClaim#metadata
        '''
        result = self._values.get("metadata")
        return typing.cast(typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"], result)

    @builtins.property
    def spec(self) -> typing.Optional["ObjectBucketClaimSpec"]:
        '''
        :schema: ObjectBucketClaim#spec
        '''
        result = self._values.get("spec")
        return typing.cast(typing.Optional["ObjectBucketClaimSpec"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ObjectBucketClaimProps(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioobjectbucket.ObjectBucketClaimSpec",
    jsii_struct_bases=[],
    name_mapping={
        "additional_config": "additionalConfig",
        "bucket_name": "bucketName",
        "generate_bucket_name": "generateBucketName",
        "object_bucket_name": "objectBucketName",
        "storage_class_name": "storageClassName",
    },
)
class ObjectBucketClaimSpec:
    def __init__(
        self,
        *,
        additional_config: typing.Any = None,
        bucket_name: typing.Optional[builtins.str] = None,
        generate_bucket_name: typing.Optional[builtins.str] = None,
        object_bucket_name: typing.Optional[builtins.str] = None,
        storage_class_name: typing.Optional[builtins.str] = None,
    ) -> None:
        '''
        :param additional_config: 
        :param bucket_name: 
        :param generate_bucket_name: 
        :param object_bucket_name: 
        :param storage_class_name: 

        :schema: ObjectBucketClaimSpec
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__37c364ebc833b85705926a36e05dd625f2d52c2d47e174fef7fcd1bee44a67fd)
            check_type(argname="argument additional_config", value=additional_config, expected_type=type_hints["additional_config"])
            check_type(argname="argument bucket_name", value=bucket_name, expected_type=type_hints["bucket_name"])
            check_type(argname="argument generate_bucket_name", value=generate_bucket_name, expected_type=type_hints["generate_bucket_name"])
            check_type(argname="argument object_bucket_name", value=object_bucket_name, expected_type=type_hints["object_bucket_name"])
            check_type(argname="argument storage_class_name", value=storage_class_name, expected_type=type_hints["storage_class_name"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if additional_config is not None:
            self._values["additional_config"] = additional_config
        if bucket_name is not None:
            self._values["bucket_name"] = bucket_name
        if generate_bucket_name is not None:
            self._values["generate_bucket_name"] = generate_bucket_name
        if object_bucket_name is not None:
            self._values["object_bucket_name"] = object_bucket_name
        if storage_class_name is not None:
            self._values["storage_class_name"] = storage_class_name

    @builtins.property
    def additional_config(self) -> typing.Any:
        '''
        :schema: ObjectBucketClaimSpec#additionalConfig
        '''
        result = self._values.get("additional_config")
        return typing.cast(typing.Any, result)

    @builtins.property
    def bucket_name(self) -> typing.Optional[builtins.str]:
        '''
        :schema: ObjectBucketClaimSpec#bucketName
        '''
        result = self._values.get("bucket_name")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def generate_bucket_name(self) -> typing.Optional[builtins.str]:
        '''
        :schema: ObjectBucketClaimSpec#generateBucketName
        '''
        result = self._values.get("generate_bucket_name")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def object_bucket_name(self) -> typing.Optional[builtins.str]:
        '''
        :schema: ObjectBucketClaimSpec#objectBucketName
        '''
        result = self._values.get("object_bucket_name")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def storage_class_name(self) -> typing.Optional[builtins.str]:
        '''
        :schema: ObjectBucketClaimSpec#storageClassName
        '''
        result = self._values.get("storage_class_name")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "ObjectBucketClaimSpec(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


__all__ = [
    "ObjectBucketClaim",
    "ObjectBucketClaimProps",
    "ObjectBucketClaimSpec",
]

publication.publish()

def _typecheckingstub__d196ec59a72c7dfa53b4f7550f19aeb10765f6f348b9770a6f99437a61ef79c0(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    *,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    spec: typing.Optional[typing.Union[ObjectBucketClaimSpec, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__58d0f0b2568190e7d97a10831fcae861acb66d1a0da7697f41eac1cce7e7fc35(
    *,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    spec: typing.Optional[typing.Union[ObjectBucketClaimSpec, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__37c364ebc833b85705926a36e05dd625f2d52c2d47e174fef7fcd1bee44a67fd(
    *,
    additional_config: typing.Any = None,
    bucket_name: typing.Optional[builtins.str] = None,
    generate_bucket_name: typing.Optional[builtins.str] = None,
    object_bucket_name: typing.Optional[builtins.str] = None,
    storage_class_name: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass
