/** The subset of a botocore service model that request validation reads. */
export interface Shape {
  type: string;
  required?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  /** structure: member name -> shape name */
  members?: Record<string, string>;
  /** list: element shape */
  member?: string;
  /** map: key and value shapes */
  key?: string;
  value?: string;
}

export interface ServiceModel {
  source: string;
  apiVersion: string;
  /** operation -> its input shape */
  operations: Record<string, string>;
  shapes: Record<string, Shape>;
}
