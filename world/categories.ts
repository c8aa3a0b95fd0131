/** A top-level catalog category with the tags its items draw from. */
export interface CategorySpec {
  name: string;
  /** Typical price of a mid-range item, in the world's currency. */
  basePrice: number;
  tags: readonly string[];
}

/** The fixed category list of the synthetic world (names are stable: features hash them). */
export const CATEGORIES: readonly CategorySpec[] = [
  { name: "electronics", basePrice: 180, tags: ["audio", "wireless", "smart-home", "camera", "tv", "wearable", "portable", "accessory"] },
  { name: "computers", basePrice: 450, tags: ["laptop", "desktop", "monitor", "keyboard", "storage", "networking", "gaming", "tablet"] },
  { name: "phones", basePrice: 350, tags: ["smartphone", "case", "charger", "screen-protector", "refurbished", "5g", "dual-sim", "rugged"] },
  { name: "video-games", basePrice: 55, tags: ["console", "rpg", "shooter", "racing", "puzzle", "multiplayer", "indie", "retro"] },
  { name: "books", basePrice: 18, tags: ["fiction", "mystery", "science", "history", "biography", "fantasy", "self-help", "cookbook"] },
  { name: "music", basePrice: 22, tags: ["vinyl", "jazz", "rock", "classical", "hip-hop", "electronic", "folk", "instrument"] },
  { name: "movies", basePrice: 15, tags: ["drama", "comedy", "action", "documentary", "animation", "thriller", "sci-fi", "box-set"] },
  { name: "home-kitchen", basePrice: 60, tags: ["cookware", "small-appliance", "coffee", "storage", "cutlery", "bakeware", "cleaning", "tableware"] },
  { name: "furniture", basePrice: 240, tags: ["sofa", "desk", "chair", "bed", "shelving", "outdoor", "lighting", "rug"] },
  { name: "garden", basePrice: 45, tags: ["plants", "tools", "watering", "grill", "seeds", "planters", "lawn", "pest-control"] },
  { name: "tools", basePrice: 70, tags: ["power-tool", "hand-tool", "measuring", "safety", "workbench", "cordless", "drill", "saw"] },
  { name: "toys", basePrice: 30, tags: ["building", "puzzle", "doll", "outdoor", "educational", "plush", "board-game", "remote-control"] },
  { name: "baby", basePrice: 40, tags: ["stroller", "diapers", "feeding", "nursery", "car-seat", "clothing", "bath", "monitor"] },
  { name: "beauty", basePrice: 28, tags: ["skincare", "makeup", "fragrance", "haircare", "nails", "organic", "men", "tools"] },
  { name: "health", basePrice: 25, tags: ["vitamins", "fitness-tracker", "first-aid", "supplements", "massage", "sleep", "oral-care", "vision"] },
  { name: "grocery", basePrice: 9, tags: ["snacks", "coffee-tea", "organic", "beverages", "pantry", "gluten-free", "candy", "spices"] },
  { name: "pet-supplies", basePrice: 26, tags: ["dog", "cat", "aquarium", "bird", "food", "toys", "grooming", "bedding"] },
  { name: "sports-outdoors", basePrice: 65, tags: ["running", "cycling", "camping", "yoga", "fishing", "team-sports", "swimming", "hiking"] },
  { name: "fashion", basePrice: 45, tags: ["women", "men", "kids", "outerwear", "denim", "activewear", "formal", "accessories"] },
  { name: "shoes", basePrice: 80, tags: ["sneakers", "boots", "sandals", "running", "formal", "kids", "slippers", "hiking"] },
];
