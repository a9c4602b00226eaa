import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * An ApiObject handed over whole, as the JSON text of its manifest.
 *
 * Python renders each manifest itself and passes it as one string: one jsii round trip, where a
 * struct or a JSON patch per field costs several plus a runtime type check per struct. cdk8s then
 * renders it like any ApiObject made from props: the chart's namespace and labels, metadata
 * changes, JSON patches and resolvers all apply.
 */
export class ManifestObject extends ApiObject {
  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param manifest the object as JSON text: apiVersion, kind, metadata and its other fields
   * @param clusterScoped leave the chart's namespace out of the metadata
   */
  constructor(scope: Construct, id: string, manifest: string, clusterScoped?: boolean) {
    super(scope, id, JSON.parse(manifest));
    if (clusterScoped) {
      this.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
}
