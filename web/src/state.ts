/** The playground's whole state, and its round trip through the URL's query string. */

export interface MethodChoice {
  name: string;
  /** Learning rate of a first-order method; solvers have none. */
  lr?: number;
  /** Its momentum-like decay (alpha, momentum, rho or beta1, see main.ts), when set. */
  momentum?: number;
  /** A solver's settings (solverKnobs.ts), when set; written `key=value` in the URL. */
  settings?: Record<string, number | string>;
}

export interface PlaygroundState {
  surface: string;
  methods: MethodChoice[];
  start: [number, number];
  steps: number;
  dtype: DTypeChoice;
  seed: number;
}

/** float64 exact (cpu device), float64 storage on Wasm (fast; exp/log float32-accurate), float32 (Wasm). */
export const DTYPES = ["float64", "float64-fast", "float32"] as const;
export type DTypeChoice = (typeof DTYPES)[number];

// String(x) is the shortest decimal that parses back to the same double: the URL keeps values bit for bit.
export function encodeState(s: PlaygroundState): string {
  const q = new URLSearchParams();
  q.set("surface", s.surface);
  q.set(
    "methods",
    s.methods
      .map((m) =>
        [
          m.name,
          ...(m.lr === undefined ? [] : [String(m.lr)]),
          ...(m.momentum === undefined ? [] : [String(m.momentum)]),
          ...Object.entries(m.settings ?? {}).map(([k, v]) => `${k}=${v}`),
        ].join(":"),
      )
      .join(","),
  );
  q.set("x", String(s.start[0]));
  q.set("y", String(s.start[1]));
  q.set("steps", String(s.steps));
  q.set("dtype", s.dtype);
  q.set("seed", String(s.seed));
  return q.toString();
}

/** Fields missing or unreadable in the query keep the defaults' values. */
export function decodeState(query: string, defaults: PlaygroundState): PlaygroundState {
  const q = new URLSearchParams(query);
  const num = (key: string, fallback: number) => {
    const v = q.get(key);
    return v !== null && v !== "" && Number.isFinite(Number(v)) ? Number(v) : fallback;
  };
  const methods = q.get("methods");
  return {
    surface: q.get("surface") ?? defaults.surface,
    methods:
      methods === null
        ? defaults.methods
        : methods
            .split(",")
            .filter(Boolean)
            .map((item) => {
              const [name, ...rest] = item.split(":");
              const [lr, momentum] = rest.filter((p) => !p.includes("="));
              const pairs = rest.filter((p) => p.includes("=")).map((p) => p.split("="));
              // Numbers stay numbers (bit for bit through String), names (globalization) stay strings.
              const settings = Object.fromEntries(
                pairs.map(([k, v]) => [k, Number.isFinite(Number(v)) ? Number(v) : v]),
              );
              return {
                name,
                ...(lr === undefined ? {} : { lr: Number(lr) }),
                ...(momentum === undefined ? {} : { momentum: Number(momentum) }),
                ...(pairs.length ? { settings } : {}),
              };
            }),
    start: [num("x", defaults.start[0]), num("y", defaults.start[1])],
    steps: Math.max(1, Math.round(num("steps", defaults.steps))),
    dtype: DTYPES.find((d) => d === q.get("dtype")) ?? defaults.dtype,
    seed: Math.round(num("seed", defaults.seed)),
  };
}
