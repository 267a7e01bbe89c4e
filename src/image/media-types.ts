/** OCI image-spec 1.1 media types. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** Docker image manifest v2 schema 2 media types (what registries and `docker save` still use). */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_LAYER_ZSTD = 'application/vnd.docker.image.rootfs.diff.tar.zstd';
export const DOCKER_FOREIGN_LAYER_GZIP = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/** How a layer media type says its bytes are compressed; undefined for non-layer types. */
export function layerCompressionOf(mediaType: string): LayerCompression | undefined {
  switch (mediaType) {
    case OCI_LAYER:
    case DOCKER_LAYER:
      return 'none';
    case OCI_LAYER_GZIP:
    case DOCKER_LAYER_GZIP:
    case DOCKER_FOREIGN_LAYER_GZIP:
      return 'gzip';
    case OCI_LAYER_ZSTD:
    case DOCKER_LAYER_ZSTD:
      return 'zstd';
    default:
      return undefined;
  }
}

export function ociLayerMediaType(compression: LayerCompression): string {
  if (compression === 'gzip') return OCI_LAYER_GZIP;
  if (compression === 'zstd') return OCI_LAYER_ZSTD;
  return OCI_LAYER;
}
