/** Who is asking: the tenant from a verified token (or a workflow's direct event) and the subject. */
export interface Actor {
  readonly tenantId: string;
  readonly subject: string;
}

export const TENANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
