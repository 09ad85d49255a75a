import type { AnyDesc, DescEnum, DescEnumValue, DescField, DescMessage, DescMethod, DescService, Registry } from "@bufbuild/protobuf";

type Commented = DescMessage | DescField | DescEnum | DescEnumValue | DescService | DescMethod;

/**
 * The proto comments of descriptors, read from a registry made from a buf image (`buf build`
 * keeps source info; the descriptors embedded in gen/ do not). Descriptors are matched by full
 * name, so the ones the code was generated with find their comments in the image.
 */
export function commentsFrom(image: Registry): (desc: AnyDesc) => string | undefined {
  return (desc) => {
    const twin = twinOf(image, desc);
    return twin && commentOf(twin);
  };
}

function twinOf(image: Registry, desc: AnyDesc): Commented | undefined {
  switch (desc.kind) {
    case "message": return image.getMessage(desc.typeName);
    case "enum": return image.getEnum(desc.typeName);
    case "service": return image.getService(desc.typeName);
    case "field": return image.getMessage(desc.parent.typeName)?.fields.find((f) => f.name === desc.name);
    case "enum_value": return image.getEnum(desc.parent.typeName)?.values.find((v) => v.name === desc.name);
    case "rpc": return image.getService(desc.parent.typeName)?.methods.find((m) => m.name === desc.name);
    default: return undefined;
  }
}

// Field numbers in descriptor.proto: the steps of a source-info path to each kind of element.
const step = { fileMessage: 4, fileEnum: 5, fileService: 6, nestedMessage: 3, nestedEnum: 4, field: 2, enumValue: 2, method: 2 };

function sourcePath(desc: Commented): number[] {
  switch (desc.kind) {
    case "message":
      return desc.parent
        ? [...sourcePath(desc.parent), step.nestedMessage, desc.parent.proto.nestedType.indexOf(desc.proto)]
        : [step.fileMessage, desc.file.proto.messageType.indexOf(desc.proto)];
    case "enum":
      return desc.parent
        ? [...sourcePath(desc.parent), step.nestedEnum, desc.parent.proto.enumType.indexOf(desc.proto)]
        : [step.fileEnum, desc.file.proto.enumType.indexOf(desc.proto)];
    case "service": return [step.fileService, desc.file.proto.service.indexOf(desc.proto)];
    case "field": return [...sourcePath(desc.parent), step.field, desc.parent.proto.field.indexOf(desc.proto)];
    case "enum_value": return [...sourcePath(desc.parent), step.enumValue, desc.parent.proto.value.indexOf(desc.proto)];
    case "rpc": return [...sourcePath(desc.parent), step.method, desc.parent.proto.method.indexOf(desc.proto)];
  }
}

function fileOf(desc: Commented) {
  switch (desc.kind) {
    case "message": case "enum": case "service": return desc.file;
    case "enum_value": case "field": case "rpc": return desc.parent.file;
  }
}

// The leading comment (else the trailing one), without the space after each "//" and the blank ends.
function commentOf(desc: Commented): string | undefined {
  const path = sourcePath(desc);
  const location = fileOf(desc).proto.sourceCodeInfo?.location.find(
    (l) => l.path.length === path.length && l.path.every((n, i) => n === path[i]),
  );
  const text = location?.leadingComments || location?.trailingComments;
  if (!text) return undefined;
  return text.split("\n").map((line) => line.replace(/^ /, "").trimEnd()).join("\n").trim() || undefined;
}
