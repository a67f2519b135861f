/**
 * Questions about everyday topics that no tool catalog is built to answer: trivia, science, history, cooking,
 * language, sport. The hybrid search embeds them to learn how similar an unrelated question looks to the catalog's
 * best tool under the configured model, which sets its similarity floor without per-model calibration.
 *
 * Written for this purpose; deliberately not taken from any benchmark's query set.
 */
export const OFF_TOPIC_PROBES: readonly string[] = [
  "Who painted the ceiling of the Sistine Chapel?",
  "How many bones are in the adult human body?",
  "What year did the Berlin Wall fall?",
  "Write a haiku about autumn leaves.",
  "Why is the sky blue?",
  "What is the boiling point of water at sea level?",
  "Summarize the plot of Hamlet.",
  "How do bees make honey?",
  "Who was the first person to walk on the moon?",
  "What is the square root of 144?",
  "Explain the theory of relativity in simple terms.",
  "What is the largest ocean on Earth?",
  "How do I tie a bowline knot?",
  "What causes earthquakes?",
  "Recommend a good novel for a long flight.",
  "What language is spoken in Brazil?",
  "How long should I boil an egg?",
  "What is photosynthesis?",
  "Tell me a joke about penguins.",
  "Which planet has the most moons?",
  "How do vaccines train the immune system?",
  "What is the difference between a virus and a bacterium?",
  "Translate 'good morning' into Japanese.",
  "What are the rules of chess castling?",
  "Who composed the Four Seasons?",
  "What is the tallest mountain in Africa?",
  "How does compound interest work?",
  "What is the meaning of the word serendipity?",
  "How many players are on a soccer team?",
  "Why do cats purr?",
];
