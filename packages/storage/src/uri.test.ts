import { describe, expect, it } from "vitest";
import { InvalidUriError } from "./errors.ts";
import { joinUri, parseBlobUri } from "./uri.ts";

describe("parseBlobUri", () => {
  it("parses s3 and file URIs without decoding keys", () => {
    expect(parseBlobUri("s3://my-bucket/a/b%20c/d e")).toEqual({ scheme: "s3", bucket: "my-bucket", key: "a/b%20c/d e" });
    expect(parseBlobUri("s3://my-bucket")).toEqual({ scheme: "s3", bucket: "my-bucket", key: "" });
    expect(parseBlobUri("file:///var/aloft/x.pb")).toEqual({ scheme: "file", path: "/var/aloft/x.pb" });
  });

  it("says why a URI is rejected", () => {
    const cases: Array<[string, RegExp]> = [
      ["", /empty URI/],
      ["gs://bucket/k", /unsupported scheme "gs" \(expected s3 or file\)/],
      ["/var/aloft/x", /expected s3:\/\/bucket\/key or file:\/\/\/path/],
      ["s3://ab/k", /bucket "ab" is not a valid S3 bucket name/],
      ["s3://Upper/k", /not a valid S3 bucket name/],
      ["file://host/x", /must be absolute with an empty host/],
      ["s3://bucket/a/../b", /".." segments are not allowed/],
      ["file:///a/../../etc", /".." segments/],
    ];
    for (const [uri, why] of cases) {
      let err: unknown;
      try {
        parseBlobUri(uri);
      } catch (e) {
        err = e;
      }
      expect(err, uri).toBeInstanceOf(InvalidUriError);
      expect((err as Error).message, uri).toMatch(why);
      expect((err as InvalidUriError).code).toBe("INVALID_URI");
    }
  });
});

describe("joinUri", () => {
  it("joins with single slashes and skips empty parts", () => {
    expect(joinUri("s3://b/prefix/", "/metadata/", "", "x", 3)).toBe("s3://b/prefix/metadata/x/3");
    expect(joinUri("file:///", "var", "data")).toBe("file:///var/data");
    expect(joinUri("s3://b")).toBe("s3://b");
  });
  it("refuses parts that climb out with ..", () => {
    expect(() => joinUri("s3://bucket/a", "../b")).toThrow(InvalidUriError);
  });
});
