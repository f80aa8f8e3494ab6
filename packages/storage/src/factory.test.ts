import { describe, expect, it } from "vitest";
import { createBlobStore } from "./factory.ts";
import { FileSystemBlobStore } from "./fs-store.ts";
import { S3BlobStore } from "./s3-store.ts";

describe("createBlobStore", () => {
  it("builds a filesystem store from a file URI", () => {
    const s = createBlobStore("file:///var/aloft/data/");
    expect(s).toBeInstanceOf(FileSystemBlobStore);
    expect(s.root).toBe("file:///var/aloft/data");
  });

  it("builds an S3 store from an s3 URI with parameters", () => {
    const s = createBlobStore("s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=eu-west-1&forcePathStyle=true");
    expect(s).toBeInstanceOf(S3BlobStore);
    expect(s.root).toBe("s3://bucket/prefix");
    (s as S3BlobStore).destroy();
  });

  it("names the parameter that is wrong", () => {
    expect(() => createBlobStore("s3://bucket?regoin=x")).toThrow("regoin: unknown S3 store parameter (known: endpoint, region, forcePathStyle, partSizeBytes)");
    expect(() => createBlobStore("s3://bucket?forcePathStyle=yes")).toThrow('forcePathStyle: must be true or false, got "yes"');
    expect(() => createBlobStore("s3://bucket?endpoint=localhost:9000")).toThrow(/endpoint: must be http or https|endpoint: .* is not an absolute URL/);
    expect(() => createBlobStore("s3://bucket?partSizeBytes=1024")).toThrow(/partSizeBytes: must be an integer of at least 5 MiB/);
    expect(() => createBlobStore("file:///data?x=1")).toThrow("x: filesystem stores take no URI parameters");
  });

  it("keeps secrets out of the URI", () => {
    expect(() => createBlobStore("s3://bucket?secretAccessKey=abc")).toThrow(/secretAccessKey: credentials do not belong in the store URI/);
  });

  it("explains plain paths and unknown schemes", () => {
    expect(() => createBlobStore("/var/aloft")).toThrow('store: "/var/aloft" is a path; write it as file:///var/aloft');
    expect(() => createBlobStore("gs://bucket")).toThrow(/unsupported scheme "gs"/);
  });
});
