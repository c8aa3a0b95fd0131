/** Where the ANN source gets a user's taste embedding (port; the feature service client implements it). */
export interface TasteEmbeddings {
  /**
   * The user's taste embedding, or undefined when the user has none. Rejects
   * with UnavailableError (or DeadlineExceededError) when it cannot be known now.
   */
  tasteOf(userId: string, options: { deadline: number; signal: AbortSignal }): Promise<Float32Array | undefined>;
}
