/**
 * Stripe's API takes form-encoded bodies (and query strings) with nested
 * names: the SDK sends `metadata[userId]=x`, `line_items[0][price]=p` and
 * `expand[0]=subscription`; curl users write `expand[]=subscription`.
 */
export type FormValue = string | FormValue[] | { [name: string]: FormValue };
export type Form = { [name: string]: FormValue };

export class FormError extends Error {
  override name = "FormError";
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

const nameShape = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

export function parseForm(text: string): Form {
  const root: Form = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const match = nameShape.exec(name);
    if (!match) throw new FormError(name, `Invalid parameter name: ${name}`);
    const inner = [...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!);
    assign(root, [match[1]!, ...inner], value, name);
  }
  return withArrays(root) as Form;
}

function assign(root: Form, path: string[], value: string, name: string) {
  let node: Form = root;
  path.forEach((part, index) => {
    // `[]` appends, so it takes the next index at this level.
    const key = part === "" ? String(Object.keys(node).length) : part;
    // Assigning `__proto__` on a plain object would replace its prototype.
    if (key === "__proto__") {
      throw new FormError(name, `Invalid parameter name: ${name}`);
    }
    const existing = Object.hasOwn(node, key) ? node[key] : undefined;
    if (index === path.length - 1) {
      if (existing !== undefined) {
        throw new FormError(name, `Parameter given more than once: ${name}`);
      }
      node[key] = value;
      return;
    }
    if (typeof existing === "string" || Array.isArray(existing)) {
      throw new FormError(name, `Parameter is a value and a hash: ${name}`);
    }
    node = (existing ?? (node[key] = {})) as Form;
  });
}

/** `{ "0": a, "1": b }` becomes `[a, b]`, as the SDK meant it. */
function withArrays(value: FormValue): FormValue {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const entries = Object.entries(value).map(
    ([key, inner]) => [key, withArrays(inner)] as const,
  );
  const indexed =
    entries.length > 0 && entries.every(([key], i) => key === String(i));
  return indexed
    ? entries.map(([, inner]) => inner)
    : Object.fromEntries(entries);
}
