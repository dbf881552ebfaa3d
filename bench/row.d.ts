export interface BenchRow {
  name: string;
  measured: number;
  floor: number;
  unit: string;
  target: number;
  better?: 'lower' | 'higher';
  note?: string;
}
export function row(r: BenchRow): void;
export const quick: boolean;
