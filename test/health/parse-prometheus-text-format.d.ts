declare module 'parse-prometheus-text-format' {
  /** Parses the Prometheus text exposition format into metric families. */
  export default function parse(
    text: string,
  ): Array<{ name: string; help: string; type: string; metrics: Array<{ value: string; labels?: Record<string, string> }> }>;
}
