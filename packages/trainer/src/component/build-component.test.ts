// Component resolution, orchestration §6 items #1-#22 (upstream tests/trainer/test_init_utils.py).
import { describe, expect, it } from "vitest";
import { ValueError } from "../errors.js";
import { buildComponent, instantiateComponent, instantiateFromSpec } from "./build-component.js";
import { lookupComponentClass, registerComponent } from "./registry.js";

class SampleComponent {
  static acceptedOptions = ["required", "optional"];
  required: number;
  optional: number;
  constructor(options: { required?: number; optional?: number } = {}) {
    this.required = options.required ?? 0;
    this.optional = options.optional ?? 7;
  }
}
class SampleChild extends SampleComponent {}
class SimpleComponent {
  constructor(readonly options: Record<string, unknown> = {}) {}
}
/** Like a `**kwargs`-only Python constructor: declares no accepted options. */
class KwargsOnly extends SampleComponent {
  static override acceptedOptions = undefined as unknown as string[];
  received: Record<string, unknown>;
  constructor(options: Record<string, unknown> = {}) {
    super();
    this.received = options;
  }
}
registerComponent("tests.trainer.sample_components.SampleComponent", SampleComponent);
registerComponent("tests.trainer.sample_components.SimpleComponent", SimpleComponent);

const kind = {
  name: "SampleComponent",
  base: SampleComponent,
  is: (v: unknown): v is SampleComponent => v instanceof SampleComponent,
};
const base = { specName: "component", kind };

describe("component resolution (#1-#22)", () => {
  it("#1 a registered dotted name loads its class", () => {
    expect(lookupComponentClass("tests.trainer.sample_components.SampleComponent", "component")).toBe(
      SampleComponent,
    );
  });

  it("#2-#5 provided options win, optional defaults fill accepted names only (factories called lazily)", () => {
    expect(instantiateComponent(SampleComponent, { required: 3 })).toMatchObject({
      required: 3,
      optional: 7,
    });
    expect(instantiateComponent(SampleComponent, { required: 3 }, { optional: () => 11 }).optional).toBe(11);
    expect(instantiateComponent(SampleComponent, { required: 3 }, { optional: 13 }).optional).toBe(13);
    let called = false;
    const built = instantiateComponent(
      SampleComponent,
      { required: 3 },
      {
        missing: () => {
          called = true;
          return 1;
        },
      },
    );
    expect(called).toBe(false);
    expect(built).not.toHaveProperty("missing");
  });

  it("#6-#10 strings and dicts", () => {
    expect(instantiateFromSpec("tests.trainer.sample_components.SampleComponent", base)).toBeInstanceOf(
      SampleComponent,
    );
    expect(
      instantiateFromSpec(
        { type: "tests.trainer.sample_components.SampleComponent", required: 5, optional: 6 },
        base,
      ),
    ).toMatchObject({ required: 5, optional: 6 });
    expect(
      instantiateFromSpec(
        { required: 9 },
        { ...base, dictRequiresType: false, dictDefaultCls: SampleComponent },
      ),
    ).toMatchObject({ required: 9 });
    expect(() => instantiateFromSpec({ required: 9 }, base)).toThrow(ValueError);
    expect(() => instantiateFromSpec({ required: 9 }, base)).toThrow("component dict must have a 'type' key");
    expect(() => instantiateFromSpec({ required: 9 }, { ...base, dictRequiresType: false })).toThrow(
      "component dict missing 'type' and no default class provided",
    );
    expect(() => instantiateFromSpec(42, base)).toThrow(TypeError);
    expect(() => instantiateFromSpec(42, base)).toThrow("component spec must be a string or dict");
  });

  it("#11-#12 instances by identity; null: default factory, null when allowed, else ValueError", () => {
    const instance = new SampleComponent();
    expect(buildComponent(instance, base)).toBe(instance);
    const made = new SampleComponent({ required: 1 });
    expect(buildComponent(null, { ...base, defaultFactory: () => made })).toBe(made);
    expect(buildComponent(undefined, { ...base, allowNone: true })).toBeNull();
    expect(() => buildComponent(null, base)).toThrow(new ValueError("component cannot be None."));
  });

  it("#13/#22 registry keys, dict type and dict name resolve through the registry", () => {
    const registry = new Map([["sample", "tests.trainer.sample_components.SampleComponent"]]);
    expect(buildComponent("sample", { ...base, registry })).toBeInstanceOf(SampleComponent);
    expect(buildComponent({ type: "sample", required: 2 }, { ...base, registry })).toMatchObject({
      required: 2,
    });
    expect(buildComponent({ name: "sample", required: 4 }, { ...base, registry })).toMatchObject({
      required: 4,
    });
  });

  it("#14 a dict spec gets the missing optional default", () => {
    const built = buildComponent(
      { type: "tests.trainer.sample_components.SampleComponent", required: 1 },
      { ...base, optionalDefaults: { optional: 42 } },
    );
    expect(built?.optional).toBe(42);
  });

  it("#15 a subclass is constructed (with optional defaults); a zero-argument function is a factory", () => {
    const child = buildComponent(SampleChild, { ...base, optionalDefaults: { optional: 8 } });
    expect(child).toBeInstanceOf(SampleChild);
    expect(child?.optional).toBe(8);
    const made = new SampleComponent({ required: 12 });
    expect(buildComponent(() => made, base)).toBe(made);
  });

  it("#16-#20 invalid specs (ValueError) and products of the wrong type (TypeError)", () => {
    const invalid = "Invalid component type: {actual_type}. Expected {expected_type}, str, dict, or None.";
    expect(() => buildComponent(3 as never, { ...base, invalidSpecErrorFmt: invalid })).toThrow(
      new ValueError("Invalid component type: <class 'int'>. Expected SampleComponent, str, dict, or None."),
    );
    expect(() =>
      buildComponent("tests.trainer.sample_components.SimpleComponent", {
        ...base,
        typeErrorFmt: "Bad {type_name} for {expected_type}",
      }),
    ).toThrow(new TypeError("Bad <class 'SimpleComponent'> for SampleComponent"));
    expect(() =>
      buildComponent("tests.trainer.sample_components.SimpleComponent", {
        ...base,
        invalidSpecErrorFmt: invalid,
      }),
    ).toThrow(
      new TypeError(
        "component factory returned <class 'SimpleComponent'>, which is not a SampleComponent subclass.",
      ),
    );
    expect(() => buildComponent(SimpleComponent as never, { ...base, invalidSpecErrorFmt: invalid })).toThrow(
      new ValueError("Invalid component type: <class 'type'>. Expected SampleComponent, str, dict, or None."),
    );
    expect(() => buildComponent((() => ({ unrelated: true })) as never, base)).toThrow(
      new TypeError("component factory returned <class 'dict'>, which is not a SampleComponent subclass."),
    );
  });

  it("#21 a constructor that declares no accepted options receives no optional defaults", () => {
    let called = false;
    const built = instantiateComponent(
      KwargsOnly,
      {},
      {
        optional: () => {
          called = true;
          return 1;
        },
      },
    );
    expect(built.received).toEqual({});
    expect(called).toBe(false);
  });

  it("snake_case dict keys become camelCase options", () => {
    class Camel {
      static acceptedOptions = ["mainThread"];
      constructor(readonly options: Record<string, unknown> = {}) {}
    }
    expect(
      instantiateFromSpec(
        { type: Camel, main_thread: "algorithm" },
        { specName: "x", kind: { name: "Camel", is: (v): v is Camel => v instanceof Camel } },
      ).options,
    ).toEqual({
      mainThread: "algorithm",
    });
  });

  it("an unknown name is a ValueError that names it", () => {
    expect(() => buildComponent("no.such.Thing", base)).toThrow(/Unknown component 'no\.such\.Thing'/);
  });
});
