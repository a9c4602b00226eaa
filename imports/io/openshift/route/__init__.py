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


class Route(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="ioopenshiftroute.Route",
):
    '''
    :schema: Route
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        *,
        spec: typing.Union["RouteSpec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''Defines a "Route" API object.

        :param scope: the scope in which to define this object.
        :param id: a scope-local name for the object.
        :param spec: 
        :param metadata: 
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__a0c8daa79ea0beba9a0fe5b710f754c8247a9d90db15016a2919c5e8d9280627)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
        props = RouteProps(spec=spec, metadata=metadata)

        jsii.create(self.__class__, self, [scope, id, props])

    @jsii.member(jsii_name="manifest")
    @builtins.classmethod
    def manifest(
        cls,
        *,
        spec: typing.Union["RouteSpec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> typing.Any:
        '''Renders a Kubernetes manifest for "Route".

        This can be used to inline resource manifests inside other objects (e.g. as templates).

        :param spec: 
        :param metadata: 
        '''
        props = RouteProps(spec=spec, metadata=metadata)

        return typing.cast(typing.Any, jsii.sinvoke(cls, "manifest", [props]))

    @jsii.member(jsii_name="toJson")
    def to_json(self) -> typing.Any:
        '''Renders the object to Kubernetes JSON.'''
        return typing.cast(typing.Any, jsii.invoke(self, "toJson", []))

    @jsii.python.classproperty
    @jsii.member(jsii_name="GVK")
    def GVK(cls) -> "_cdk8s_d3d9af27.GroupVersionKind":
        '''Returns the apiVersion and kind for "Route".'''
        return typing.cast("_cdk8s_d3d9af27.GroupVersionKind", jsii.sget(cls, "GVK"))


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteProps",
    jsii_struct_bases=[],
    name_mapping={"spec": "spec", "metadata": "metadata"},
)
class RouteProps:
    def __init__(
        self,
        *,
        spec: typing.Union["RouteSpec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''
        :param spec: 
        :param metadata: 

        :schema: Route
        '''
        if isinstance(spec, dict):
            spec = RouteSpec(**spec)
        if isinstance(metadata, dict):
            metadata = _cdk8s_d3d9af27.ApiObjectMetadata(**metadata)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__a831cff74a640dfca7f263a519ea8adc4303121de8b2f1484c0b2a3e7a5a4f21)
            check_type(argname="argument spec", value=spec, expected_type=type_hints["spec"])
            check_type(argname="argument metadata", value=metadata, expected_type=type_hints["metadata"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "spec": spec,
        }
        if metadata is not None:
            self._values["metadata"] = metadata

    @builtins.property
    def spec(self) -> "RouteSpec":
        '''
        :schema: Route#spec
        '''
        result = self._values.get("spec")
        assert result is not None, "Required property 'spec' is missing"
        return typing.cast("RouteSpec", result)

    @builtins.property
    def metadata(self) -> typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"]:
        '''
        :schema: Route#metadata
        '''
        result = self._values.get("metadata")
        return typing.cast(typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteProps(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpec",
    jsii_struct_bases=[],
    name_mapping={
        "to": "to",
        "alternate_backends": "alternateBackends",
        "host": "host",
        "http_headers": "httpHeaders",
        "path": "path",
        "port": "port",
        "subdomain": "subdomain",
        "tls": "tls",
        "wildcard_policy": "wildcardPolicy",
    },
)
class RouteSpec:
    def __init__(
        self,
        *,
        to: typing.Union["RouteSpecTo", typing.Dict[builtins.str, typing.Any]],
        alternate_backends: typing.Optional[typing.Sequence[typing.Union["RouteSpecAlternateBackends", typing.Dict[builtins.str, typing.Any]]]] = None,
        host: typing.Optional[builtins.str] = None,
        http_headers: typing.Optional[typing.Union["RouteSpecHttpHeaders", typing.Dict[builtins.str, typing.Any]]] = None,
        path: typing.Optional[builtins.str] = None,
        port: typing.Optional[typing.Union["RouteSpecPort", typing.Dict[builtins.str, typing.Any]]] = None,
        subdomain: typing.Optional[builtins.str] = None,
        tls: typing.Optional[typing.Union["RouteSpecTls", typing.Dict[builtins.str, typing.Any]]] = None,
        wildcard_policy: typing.Optional["RouteSpecWildcardPolicy"] = None,
    ) -> None:
        '''
        :param to: 
        :param alternate_backends: 
        :param host: 
        :param http_headers: 
        :param path: 
        :param port: 
        :param subdomain: 
        :param tls: 
        :param wildcard_policy: 

        :schema: RouteSpec
        '''
        if isinstance(to, dict):
            to = RouteSpecTo(**to)
        if isinstance(http_headers, dict):
            http_headers = RouteSpecHttpHeaders(**http_headers)
        if isinstance(port, dict):
            port = RouteSpecPort(**port)
        if isinstance(tls, dict):
            tls = RouteSpecTls(**tls)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__052658356e99cac2153bfc6a9272862026a405deaa40ac79385b03def5789486)
            check_type(argname="argument to", value=to, expected_type=type_hints["to"])
            check_type(argname="argument alternate_backends", value=alternate_backends, expected_type=type_hints["alternate_backends"])
            check_type(argname="argument host", value=host, expected_type=type_hints["host"])
            check_type(argname="argument http_headers", value=http_headers, expected_type=type_hints["http_headers"])
            check_type(argname="argument path", value=path, expected_type=type_hints["path"])
            check_type(argname="argument port", value=port, expected_type=type_hints["port"])
            check_type(argname="argument subdomain", value=subdomain, expected_type=type_hints["subdomain"])
            check_type(argname="argument tls", value=tls, expected_type=type_hints["tls"])
            check_type(argname="argument wildcard_policy", value=wildcard_policy, expected_type=type_hints["wildcard_policy"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "to": to,
        }
        if alternate_backends is not None:
            self._values["alternate_backends"] = alternate_backends
        if host is not None:
            self._values["host"] = host
        if http_headers is not None:
            self._values["http_headers"] = http_headers
        if path is not None:
            self._values["path"] = path
        if port is not None:
            self._values["port"] = port
        if subdomain is not None:
            self._values["subdomain"] = subdomain
        if tls is not None:
            self._values["tls"] = tls
        if wildcard_policy is not None:
            self._values["wildcard_policy"] = wildcard_policy

    @builtins.property
    def to(self) -> "RouteSpecTo":
        '''
        :schema: RouteSpec#to
        '''
        result = self._values.get("to")
        assert result is not None, "Required property 'to' is missing"
        return typing.cast("RouteSpecTo", result)

    @builtins.property
    def alternate_backends(
        self,
    ) -> typing.Optional[typing.List["RouteSpecAlternateBackends"]]:
        '''
        :schema: RouteSpec#alternateBackends
        '''
        result = self._values.get("alternate_backends")
        return typing.cast(typing.Optional[typing.List["RouteSpecAlternateBackends"]], result)

    @builtins.property
    def host(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpec#host
        '''
        result = self._values.get("host")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def http_headers(self) -> typing.Optional["RouteSpecHttpHeaders"]:
        '''
        :schema: RouteSpec#httpHeaders
        '''
        result = self._values.get("http_headers")
        return typing.cast(typing.Optional["RouteSpecHttpHeaders"], result)

    @builtins.property
    def path(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpec#path
        '''
        result = self._values.get("path")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def port(self) -> typing.Optional["RouteSpecPort"]:
        '''
        :schema: RouteSpec#port
        '''
        result = self._values.get("port")
        return typing.cast(typing.Optional["RouteSpecPort"], result)

    @builtins.property
    def subdomain(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpec#subdomain
        '''
        result = self._values.get("subdomain")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def tls(self) -> typing.Optional["RouteSpecTls"]:
        '''
        :schema: RouteSpec#tls
        '''
        result = self._values.get("tls")
        return typing.cast(typing.Optional["RouteSpecTls"], result)

    @builtins.property
    def wildcard_policy(self) -> typing.Optional["RouteSpecWildcardPolicy"]:
        '''
        :schema: RouteSpec#wildcardPolicy
        '''
        result = self._values.get("wildcard_policy")
        return typing.cast(typing.Optional["RouteSpecWildcardPolicy"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpec(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecAlternateBackends",
    jsii_struct_bases=[],
    name_mapping={"kind": "kind", "name": "name", "weight": "weight"},
)
class RouteSpecAlternateBackends:
    def __init__(
        self,
        *,
        kind: "RouteSpecAlternateBackendsKind",
        name: builtins.str,
        weight: typing.Optional[jsii.Number] = None,
    ) -> None:
        '''
        :param kind: 
        :param name: 
        :param weight: 

        :schema: RouteSpecAlternateBackends
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__fa95804582905ea1767d5af2ae79a6acaf36aca28e0177bd8ceaf41166af0f59)
            check_type(argname="argument kind", value=kind, expected_type=type_hints["kind"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
            check_type(argname="argument weight", value=weight, expected_type=type_hints["weight"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "kind": kind,
            "name": name,
        }
        if weight is not None:
            self._values["weight"] = weight

    @builtins.property
    def kind(self) -> "RouteSpecAlternateBackendsKind":
        '''
        :schema: RouteSpecAlternateBackends#kind
        '''
        result = self._values.get("kind")
        assert result is not None, "Required property 'kind' is missing"
        return typing.cast("RouteSpecAlternateBackendsKind", result)

    @builtins.property
    def name(self) -> builtins.str:
        '''
        :schema: RouteSpecAlternateBackends#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def weight(self) -> typing.Optional[jsii.Number]:
        '''
        :schema: RouteSpecAlternateBackends#weight
        '''
        result = self._values.get("weight")
        return typing.cast(typing.Optional[jsii.Number], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecAlternateBackends(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.enum(jsii_type="ioopenshiftroute.RouteSpecAlternateBackendsKind")
class RouteSpecAlternateBackendsKind(enum.Enum):
    '''
    :schema: RouteSpecAlternateBackendsKind
    '''

    SERVICE = "SERVICE"
    '''Service.'''


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeaders",
    jsii_struct_bases=[],
    name_mapping={"actions": "actions"},
)
class RouteSpecHttpHeaders:
    def __init__(
        self,
        *,
        actions: typing.Optional[typing.Union["RouteSpecHttpHeadersActions", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''
        :param actions: 

        :schema: RouteSpecHttpHeaders
        '''
        if isinstance(actions, dict):
            actions = RouteSpecHttpHeadersActions(**actions)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__d5acde3e25fdc45681ce3d63518c48f4dd354f9aa7d94155429b97f2ae646ead)
            check_type(argname="argument actions", value=actions, expected_type=type_hints["actions"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if actions is not None:
            self._values["actions"] = actions

    @builtins.property
    def actions(self) -> typing.Optional["RouteSpecHttpHeadersActions"]:
        '''
        :schema: RouteSpecHttpHeaders#actions
        '''
        result = self._values.get("actions")
        return typing.cast(typing.Optional["RouteSpecHttpHeadersActions"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeaders(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActions",
    jsii_struct_bases=[],
    name_mapping={"request": "request", "response": "response"},
)
class RouteSpecHttpHeadersActions:
    def __init__(
        self,
        *,
        request: typing.Optional[typing.Sequence[typing.Union["RouteSpecHttpHeadersActionsRequest", typing.Dict[builtins.str, typing.Any]]]] = None,
        response: typing.Optional[typing.Sequence[typing.Union["RouteSpecHttpHeadersActionsResponse", typing.Dict[builtins.str, typing.Any]]]] = None,
    ) -> None:
        '''
        :param request: 
        :param response: 

        :schema: RouteSpecHttpHeadersActions
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__3bac84cd086165ea3894cc215bf52749ff1b07f8c1c4708e0414606bb01e4cdc)
            check_type(argname="argument request", value=request, expected_type=type_hints["request"])
            check_type(argname="argument response", value=response, expected_type=type_hints["response"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if request is not None:
            self._values["request"] = request
        if response is not None:
            self._values["response"] = response

    @builtins.property
    def request(
        self,
    ) -> typing.Optional[typing.List["RouteSpecHttpHeadersActionsRequest"]]:
        '''
        :schema: RouteSpecHttpHeadersActions#request
        '''
        result = self._values.get("request")
        return typing.cast(typing.Optional[typing.List["RouteSpecHttpHeadersActionsRequest"]], result)

    @builtins.property
    def response(
        self,
    ) -> typing.Optional[typing.List["RouteSpecHttpHeadersActionsResponse"]]:
        '''
        :schema: RouteSpecHttpHeadersActions#response
        '''
        result = self._values.get("response")
        return typing.cast(typing.Optional[typing.List["RouteSpecHttpHeadersActionsResponse"]], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeadersActions(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsRequest",
    jsii_struct_bases=[],
    name_mapping={"action": "action", "name": "name"},
)
class RouteSpecHttpHeadersActionsRequest:
    def __init__(
        self,
        *,
        action: typing.Union["RouteSpecHttpHeadersActionsRequestAction", typing.Dict[builtins.str, typing.Any]],
        name: builtins.str,
    ) -> None:
        '''
        :param action: 
        :param name: 

        :schema: RouteSpecHttpHeadersActionsRequest
        '''
        if isinstance(action, dict):
            action = RouteSpecHttpHeadersActionsRequestAction(**action)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__e02ca3900745446d6a93bea8db14a3f1d7e95b4960013d5c938e736aa60d23c9)
            check_type(argname="argument action", value=action, expected_type=type_hints["action"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "action": action,
            "name": name,
        }

    @builtins.property
    def action(self) -> "RouteSpecHttpHeadersActionsRequestAction":
        '''
        :schema: RouteSpecHttpHeadersActionsRequest#action
        '''
        result = self._values.get("action")
        assert result is not None, "Required property 'action' is missing"
        return typing.cast("RouteSpecHttpHeadersActionsRequestAction", result)

    @builtins.property
    def name(self) -> builtins.str:
        '''
        :schema: RouteSpecHttpHeadersActionsRequest#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeadersActionsRequest(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsRequestAction",
    jsii_struct_bases=[],
    name_mapping={"type": "type", "set": "set"},
)
class RouteSpecHttpHeadersActionsRequestAction:
    def __init__(
        self,
        *,
        type: "RouteSpecHttpHeadersActionsRequestActionType",
        set: typing.Optional[typing.Union["RouteSpecHttpHeadersActionsRequestActionSet", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''
        :param type: 
        :param set: 

        :schema: RouteSpecHttpHeadersActionsRequestAction
        '''
        if isinstance(set, dict):
            set = RouteSpecHttpHeadersActionsRequestActionSet(**set)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__7bac5903bc8ec8ead648cc888d762be483f879122566c7fa7bf9abb9c19d271f)
            check_type(argname="argument type", value=type, expected_type=type_hints["type"])
            check_type(argname="argument set", value=set, expected_type=type_hints["set"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "type": type,
        }
        if set is not None:
            self._values["set"] = set

    @builtins.property
    def type(self) -> "RouteSpecHttpHeadersActionsRequestActionType":
        '''
        :schema: RouteSpecHttpHeadersActionsRequestAction#type
        '''
        result = self._values.get("type")
        assert result is not None, "Required property 'type' is missing"
        return typing.cast("RouteSpecHttpHeadersActionsRequestActionType", result)

    @builtins.property
    def set(self) -> typing.Optional["RouteSpecHttpHeadersActionsRequestActionSet"]:
        '''
        :schema: RouteSpecHttpHeadersActionsRequestAction#set
        '''
        result = self._values.get("set")
        return typing.cast(typing.Optional["RouteSpecHttpHeadersActionsRequestActionSet"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeadersActionsRequestAction(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsRequestActionSet",
    jsii_struct_bases=[],
    name_mapping={"value": "value"},
)
class RouteSpecHttpHeadersActionsRequestActionSet:
    def __init__(self, *, value: builtins.str) -> None:
        '''
        :param value: 

        :schema: RouteSpecHttpHeadersActionsRequestActionSet
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__7bf551864f1875cc9ba58e941cae891f2a7c6d90366fe0a5fa9c355a90b7e783)
            check_type(argname="argument value", value=value, expected_type=type_hints["value"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "value": value,
        }

    @builtins.property
    def value(self) -> builtins.str:
        '''
        :schema: RouteSpecHttpHeadersActionsRequestActionSet#value
        '''
        result = self._values.get("value")
        assert result is not None, "Required property 'value' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeadersActionsRequestActionSet(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.enum(jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsRequestActionType")
class RouteSpecHttpHeadersActionsRequestActionType(enum.Enum):
    '''
    :schema: RouteSpecHttpHeadersActionsRequestActionType
    '''

    SET = "SET"
    '''Set.'''
    DELETE = "DELETE"
    '''Delete.'''


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsResponse",
    jsii_struct_bases=[],
    name_mapping={"action": "action", "name": "name"},
)
class RouteSpecHttpHeadersActionsResponse:
    def __init__(
        self,
        *,
        action: typing.Union["RouteSpecHttpHeadersActionsResponseAction", typing.Dict[builtins.str, typing.Any]],
        name: builtins.str,
    ) -> None:
        '''
        :param action: 
        :param name: 

        :schema: RouteSpecHttpHeadersActionsResponse
        '''
        if isinstance(action, dict):
            action = RouteSpecHttpHeadersActionsResponseAction(**action)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__8fd4a151db2e8554c60eb359d77efbbad8058ea0973f834fe40b4d9380bb33b1)
            check_type(argname="argument action", value=action, expected_type=type_hints["action"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "action": action,
            "name": name,
        }

    @builtins.property
    def action(self) -> "RouteSpecHttpHeadersActionsResponseAction":
        '''
        :schema: RouteSpecHttpHeadersActionsResponse#action
        '''
        result = self._values.get("action")
        assert result is not None, "Required property 'action' is missing"
        return typing.cast("RouteSpecHttpHeadersActionsResponseAction", result)

    @builtins.property
    def name(self) -> builtins.str:
        '''
        :schema: RouteSpecHttpHeadersActionsResponse#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeadersActionsResponse(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsResponseAction",
    jsii_struct_bases=[],
    name_mapping={"type": "type", "set": "set"},
)
class RouteSpecHttpHeadersActionsResponseAction:
    def __init__(
        self,
        *,
        type: "RouteSpecHttpHeadersActionsResponseActionType",
        set: typing.Optional[typing.Union["RouteSpecHttpHeadersActionsResponseActionSet", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''
        :param type: 
        :param set: 

        :schema: RouteSpecHttpHeadersActionsResponseAction
        '''
        if isinstance(set, dict):
            set = RouteSpecHttpHeadersActionsResponseActionSet(**set)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__333c1f642934baaf5af8ad47cb1d8c56a6f28953dedb769cf46b0b7b661b8eeb)
            check_type(argname="argument type", value=type, expected_type=type_hints["type"])
            check_type(argname="argument set", value=set, expected_type=type_hints["set"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "type": type,
        }
        if set is not None:
            self._values["set"] = set

    @builtins.property
    def type(self) -> "RouteSpecHttpHeadersActionsResponseActionType":
        '''
        :schema: RouteSpecHttpHeadersActionsResponseAction#type
        '''
        result = self._values.get("type")
        assert result is not None, "Required property 'type' is missing"
        return typing.cast("RouteSpecHttpHeadersActionsResponseActionType", result)

    @builtins.property
    def set(self) -> typing.Optional["RouteSpecHttpHeadersActionsResponseActionSet"]:
        '''
        :schema: RouteSpecHttpHeadersActionsResponseAction#set
        '''
        result = self._values.get("set")
        return typing.cast(typing.Optional["RouteSpecHttpHeadersActionsResponseActionSet"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeadersActionsResponseAction(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsResponseActionSet",
    jsii_struct_bases=[],
    name_mapping={"value": "value"},
)
class RouteSpecHttpHeadersActionsResponseActionSet:
    def __init__(self, *, value: builtins.str) -> None:
        '''
        :param value: 

        :schema: RouteSpecHttpHeadersActionsResponseActionSet
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__f54d584182ca27953138adb5732fd08f6e1bfdceabf3aee4df2aa20b28bbf905)
            check_type(argname="argument value", value=value, expected_type=type_hints["value"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "value": value,
        }

    @builtins.property
    def value(self) -> builtins.str:
        '''
        :schema: RouteSpecHttpHeadersActionsResponseActionSet#value
        '''
        result = self._values.get("value")
        assert result is not None, "Required property 'value' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecHttpHeadersActionsResponseActionSet(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.enum(jsii_type="ioopenshiftroute.RouteSpecHttpHeadersActionsResponseActionType")
class RouteSpecHttpHeadersActionsResponseActionType(enum.Enum):
    '''
    :schema: RouteSpecHttpHeadersActionsResponseActionType
    '''

    SET = "SET"
    '''Set.'''
    DELETE = "DELETE"
    '''Delete.'''


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecPort",
    jsii_struct_bases=[],
    name_mapping={"target_port": "targetPort"},
)
class RouteSpecPort:
    def __init__(self, *, target_port: typing.Any) -> None:
        '''
        :param target_port: 

        :schema: RouteSpecPort
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__4ed3f617926af9c2376d7ee179c0d6583f8e87985b17b892a225b1c5e12ef841)
            check_type(argname="argument target_port", value=target_port, expected_type=type_hints["target_port"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "target_port": target_port,
        }

    @builtins.property
    def target_port(self) -> typing.Any:
        '''
        :schema: RouteSpecPort#targetPort
        '''
        result = self._values.get("target_port")
        assert result is not None, "Required property 'target_port' is missing"
        return typing.cast(typing.Any, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecPort(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecTls",
    jsii_struct_bases=[],
    name_mapping={
        "termination": "termination",
        "ca_certificate": "caCertificate",
        "certificate": "certificate",
        "destination_ca_certificate": "destinationCaCertificate",
        "external_certificate": "externalCertificate",
        "insecure_edge_termination_policy": "insecureEdgeTerminationPolicy",
        "key": "key",
    },
)
class RouteSpecTls:
    def __init__(
        self,
        *,
        termination: "RouteSpecTlsTermination",
        ca_certificate: typing.Optional[builtins.str] = None,
        certificate: typing.Optional[builtins.str] = None,
        destination_ca_certificate: typing.Optional[builtins.str] = None,
        external_certificate: typing.Optional[typing.Union["RouteSpecTlsExternalCertificate", typing.Dict[builtins.str, typing.Any]]] = None,
        insecure_edge_termination_policy: typing.Optional["RouteSpecTlsInsecureEdgeTerminationPolicy"] = None,
        key: typing.Optional[builtins.str] = None,
    ) -> None:
        '''
        :param termination: 
        :param ca_certificate: 
        :param certificate: 
        :param destination_ca_certificate: 
        :param external_certificate: 
        :param insecure_edge_termination_policy: 
        :param key: 

        :schema: RouteSpecTls
        '''
        if isinstance(external_certificate, dict):
            external_certificate = RouteSpecTlsExternalCertificate(**external_certificate)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__dab1b30f1f48643670e1f6dbfb10a7f98b337e833f3c2d228bad5dbe09105530)
            check_type(argname="argument termination", value=termination, expected_type=type_hints["termination"])
            check_type(argname="argument ca_certificate", value=ca_certificate, expected_type=type_hints["ca_certificate"])
            check_type(argname="argument certificate", value=certificate, expected_type=type_hints["certificate"])
            check_type(argname="argument destination_ca_certificate", value=destination_ca_certificate, expected_type=type_hints["destination_ca_certificate"])
            check_type(argname="argument external_certificate", value=external_certificate, expected_type=type_hints["external_certificate"])
            check_type(argname="argument insecure_edge_termination_policy", value=insecure_edge_termination_policy, expected_type=type_hints["insecure_edge_termination_policy"])
            check_type(argname="argument key", value=key, expected_type=type_hints["key"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "termination": termination,
        }
        if ca_certificate is not None:
            self._values["ca_certificate"] = ca_certificate
        if certificate is not None:
            self._values["certificate"] = certificate
        if destination_ca_certificate is not None:
            self._values["destination_ca_certificate"] = destination_ca_certificate
        if external_certificate is not None:
            self._values["external_certificate"] = external_certificate
        if insecure_edge_termination_policy is not None:
            self._values["insecure_edge_termination_policy"] = insecure_edge_termination_policy
        if key is not None:
            self._values["key"] = key

    @builtins.property
    def termination(self) -> "RouteSpecTlsTermination":
        '''
        :schema: RouteSpecTls#termination
        '''
        result = self._values.get("termination")
        assert result is not None, "Required property 'termination' is missing"
        return typing.cast("RouteSpecTlsTermination", result)

    @builtins.property
    def ca_certificate(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpecTls#caCertificate
        '''
        result = self._values.get("ca_certificate")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def certificate(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpecTls#certificate
        '''
        result = self._values.get("certificate")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def destination_ca_certificate(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpecTls#destinationCACertificate
        '''
        result = self._values.get("destination_ca_certificate")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def external_certificate(
        self,
    ) -> typing.Optional["RouteSpecTlsExternalCertificate"]:
        '''
        :schema: RouteSpecTls#externalCertificate
        '''
        result = self._values.get("external_certificate")
        return typing.cast(typing.Optional["RouteSpecTlsExternalCertificate"], result)

    @builtins.property
    def insecure_edge_termination_policy(
        self,
    ) -> typing.Optional["RouteSpecTlsInsecureEdgeTerminationPolicy"]:
        '''
        :schema: RouteSpecTls#insecureEdgeTerminationPolicy
        '''
        result = self._values.get("insecure_edge_termination_policy")
        return typing.cast(typing.Optional["RouteSpecTlsInsecureEdgeTerminationPolicy"], result)

    @builtins.property
    def key(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpecTls#key
        '''
        result = self._values.get("key")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecTls(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecTlsExternalCertificate",
    jsii_struct_bases=[],
    name_mapping={"name": "name"},
)
class RouteSpecTlsExternalCertificate:
    def __init__(self, *, name: typing.Optional[builtins.str] = None) -> None:
        '''
        :param name: 

        :schema: RouteSpecTlsExternalCertificate
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__633ca1429d72cba9d9e54e377e38e6b06199db2c4b189bf7f096581c3041825e)
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if name is not None:
            self._values["name"] = name

    @builtins.property
    def name(self) -> typing.Optional[builtins.str]:
        '''
        :schema: RouteSpecTlsExternalCertificate#name
        '''
        result = self._values.get("name")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecTlsExternalCertificate(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.enum(jsii_type="ioopenshiftroute.RouteSpecTlsInsecureEdgeTerminationPolicy")
class RouteSpecTlsInsecureEdgeTerminationPolicy(enum.Enum):
    '''
    :schema: RouteSpecTlsInsecureEdgeTerminationPolicy
    '''

    ALLOW = "ALLOW"
    '''Allow.'''
    NONE = "NONE"
    '''None.'''
    REDIRECT = "REDIRECT"
    '''Redirect.'''


@jsii.enum(jsii_type="ioopenshiftroute.RouteSpecTlsTermination")
class RouteSpecTlsTermination(enum.Enum):
    '''
    :schema: RouteSpecTlsTermination
    '''

    EDGE = "EDGE"
    '''edge.'''
    REENCRYPT = "REENCRYPT"
    '''reencrypt.'''
    PASSTHROUGH = "PASSTHROUGH"
    '''passthrough.'''


@jsii.data_type(
    jsii_type="ioopenshiftroute.RouteSpecTo",
    jsii_struct_bases=[],
    name_mapping={"kind": "kind", "name": "name", "weight": "weight"},
)
class RouteSpecTo:
    def __init__(
        self,
        *,
        kind: "RouteSpecToKind",
        name: builtins.str,
        weight: typing.Optional[jsii.Number] = None,
    ) -> None:
        '''
        :param kind: 
        :param name: 
        :param weight: 

        :schema: RouteSpecTo
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__af14217b2909e2ece49fcab63031234ee2f94d9d1f1be2b5ae106e33cf57cac0)
            check_type(argname="argument kind", value=kind, expected_type=type_hints["kind"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
            check_type(argname="argument weight", value=weight, expected_type=type_hints["weight"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "kind": kind,
            "name": name,
        }
        if weight is not None:
            self._values["weight"] = weight

    @builtins.property
    def kind(self) -> "RouteSpecToKind":
        '''
        :schema: RouteSpecTo#kind
        '''
        result = self._values.get("kind")
        assert result is not None, "Required property 'kind' is missing"
        return typing.cast("RouteSpecToKind", result)

    @builtins.property
    def name(self) -> builtins.str:
        '''
        :schema: RouteSpecTo#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def weight(self) -> typing.Optional[jsii.Number]:
        '''
        :schema: RouteSpecTo#weight
        '''
        result = self._values.get("weight")
        return typing.cast(typing.Optional[jsii.Number], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "RouteSpecTo(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.enum(jsii_type="ioopenshiftroute.RouteSpecToKind")
class RouteSpecToKind(enum.Enum):
    '''
    :schema: RouteSpecToKind
    '''

    SERVICE = "SERVICE"
    '''Service.'''


@jsii.enum(jsii_type="ioopenshiftroute.RouteSpecWildcardPolicy")
class RouteSpecWildcardPolicy(enum.Enum):
    '''
    :schema: RouteSpecWildcardPolicy
    '''

    NONE = "NONE"
    '''None.'''
    SUBDOMAIN = "SUBDOMAIN"
    '''Subdomain.'''


__all__ = [
    "Route",
    "RouteProps",
    "RouteSpec",
    "RouteSpecAlternateBackends",
    "RouteSpecAlternateBackendsKind",
    "RouteSpecHttpHeaders",
    "RouteSpecHttpHeadersActions",
    "RouteSpecHttpHeadersActionsRequest",
    "RouteSpecHttpHeadersActionsRequestAction",
    "RouteSpecHttpHeadersActionsRequestActionSet",
    "RouteSpecHttpHeadersActionsRequestActionType",
    "RouteSpecHttpHeadersActionsResponse",
    "RouteSpecHttpHeadersActionsResponseAction",
    "RouteSpecHttpHeadersActionsResponseActionSet",
    "RouteSpecHttpHeadersActionsResponseActionType",
    "RouteSpecPort",
    "RouteSpecTls",
    "RouteSpecTlsExternalCertificate",
    "RouteSpecTlsInsecureEdgeTerminationPolicy",
    "RouteSpecTlsTermination",
    "RouteSpecTo",
    "RouteSpecToKind",
    "RouteSpecWildcardPolicy",
]

publication.publish()

def _typecheckingstub__a0c8daa79ea0beba9a0fe5b710f754c8247a9d90db15016a2919c5e8d9280627(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    *,
    spec: typing.Union[RouteSpec, typing.Dict[builtins.str, typing.Any]],
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__a831cff74a640dfca7f263a519ea8adc4303121de8b2f1484c0b2a3e7a5a4f21(
    *,
    spec: typing.Union[RouteSpec, typing.Dict[builtins.str, typing.Any]],
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__052658356e99cac2153bfc6a9272862026a405deaa40ac79385b03def5789486(
    *,
    to: typing.Union[RouteSpecTo, typing.Dict[builtins.str, typing.Any]],
    alternate_backends: typing.Optional[typing.Sequence[typing.Union[RouteSpecAlternateBackends, typing.Dict[builtins.str, typing.Any]]]] = None,
    host: typing.Optional[builtins.str] = None,
    http_headers: typing.Optional[typing.Union[RouteSpecHttpHeaders, typing.Dict[builtins.str, typing.Any]]] = None,
    path: typing.Optional[builtins.str] = None,
    port: typing.Optional[typing.Union[RouteSpecPort, typing.Dict[builtins.str, typing.Any]]] = None,
    subdomain: typing.Optional[builtins.str] = None,
    tls: typing.Optional[typing.Union[RouteSpecTls, typing.Dict[builtins.str, typing.Any]]] = None,
    wildcard_policy: typing.Optional[RouteSpecWildcardPolicy] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__fa95804582905ea1767d5af2ae79a6acaf36aca28e0177bd8ceaf41166af0f59(
    *,
    kind: RouteSpecAlternateBackendsKind,
    name: builtins.str,
    weight: typing.Optional[jsii.Number] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__d5acde3e25fdc45681ce3d63518c48f4dd354f9aa7d94155429b97f2ae646ead(
    *,
    actions: typing.Optional[typing.Union[RouteSpecHttpHeadersActions, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__3bac84cd086165ea3894cc215bf52749ff1b07f8c1c4708e0414606bb01e4cdc(
    *,
    request: typing.Optional[typing.Sequence[typing.Union[RouteSpecHttpHeadersActionsRequest, typing.Dict[builtins.str, typing.Any]]]] = None,
    response: typing.Optional[typing.Sequence[typing.Union[RouteSpecHttpHeadersActionsResponse, typing.Dict[builtins.str, typing.Any]]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__e02ca3900745446d6a93bea8db14a3f1d7e95b4960013d5c938e736aa60d23c9(
    *,
    action: typing.Union[RouteSpecHttpHeadersActionsRequestAction, typing.Dict[builtins.str, typing.Any]],
    name: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__7bac5903bc8ec8ead648cc888d762be483f879122566c7fa7bf9abb9c19d271f(
    *,
    type: RouteSpecHttpHeadersActionsRequestActionType,
    set: typing.Optional[typing.Union[RouteSpecHttpHeadersActionsRequestActionSet, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__7bf551864f1875cc9ba58e941cae891f2a7c6d90366fe0a5fa9c355a90b7e783(
    *,
    value: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__8fd4a151db2e8554c60eb359d77efbbad8058ea0973f834fe40b4d9380bb33b1(
    *,
    action: typing.Union[RouteSpecHttpHeadersActionsResponseAction, typing.Dict[builtins.str, typing.Any]],
    name: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__333c1f642934baaf5af8ad47cb1d8c56a6f28953dedb769cf46b0b7b661b8eeb(
    *,
    type: RouteSpecHttpHeadersActionsResponseActionType,
    set: typing.Optional[typing.Union[RouteSpecHttpHeadersActionsResponseActionSet, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__f54d584182ca27953138adb5732fd08f6e1bfdceabf3aee4df2aa20b28bbf905(
    *,
    value: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__4ed3f617926af9c2376d7ee179c0d6583f8e87985b17b892a225b1c5e12ef841(
    *,
    target_port: typing.Any,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__dab1b30f1f48643670e1f6dbfb10a7f98b337e833f3c2d228bad5dbe09105530(
    *,
    termination: RouteSpecTlsTermination,
    ca_certificate: typing.Optional[builtins.str] = None,
    certificate: typing.Optional[builtins.str] = None,
    destination_ca_certificate: typing.Optional[builtins.str] = None,
    external_certificate: typing.Optional[typing.Union[RouteSpecTlsExternalCertificate, typing.Dict[builtins.str, typing.Any]]] = None,
    insecure_edge_termination_policy: typing.Optional[RouteSpecTlsInsecureEdgeTerminationPolicy] = None,
    key: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__633ca1429d72cba9d9e54e377e38e6b06199db2c4b189bf7f096581c3041825e(
    *,
    name: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__af14217b2909e2ece49fcab63031234ee2f94d9d1f1be2b5ae106e33cf57cac0(
    *,
    kind: RouteSpecToKind,
    name: builtins.str,
    weight: typing.Optional[jsii.Number] = None,
) -> None:
    """Type checking stubs"""
    pass
